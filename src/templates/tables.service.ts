import type { ServiceContext } from '../context.js';
import type { Pool } from '../db/pool.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { readBudgets, type TableBudget } from './budget.js';
import { findVersion } from './templates.repository.js';

export interface TablesView {
  templateId: string;
  version: number | null;
  tables: TableBudget[];
}

/** A template's form data tables as they stand: their column budgets (budget.ts). */
export class TablesService {
  constructor(private readonly deps: { pool: Pool }) {}

  async list(ctx: ServiceContext, id: string): Promise<TablesView> {
    const template = await authorizeTemplate(this.deps.pool, ctx, id, 'publish');
    if (!template.current_version) return { templateId: id, version: null, tables: [] };
    const version = (await findVersion(this.deps.pool, id, template.current_version))!;
    return {
      templateId: id,
      version: version.version,
      tables: await readBudgets(this.deps.pool, version.naming, version.definition),
    };
  }
}

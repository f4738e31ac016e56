import type {
  Definition,
  Field,
  FieldType,
  RepeatingTable,
  Rules,
  Section,
  ShowIf,
} from '../../../src/templates/definition.schema';

/**
 * Client-side shapes of what the builder action returns. Only type imports from the server code:
 * the schema module pulls TypeBox, which must stay out of the browser bundle.
 */
export type { Definition, Field, FieldType, RepeatingTable, Rules, Section, ShowIf };

export interface VersionSummary {
  version: number;
  publishedAt: string;
  publishedBy: string | null;
  publishedByName: string | null;
  ddl: string[];
}

export interface TemplateData {
  id: string;
  gridId: string;
  slug: string;
  title: string;
  description: string;
  status: 'draft' | 'published' | 'archived';
  currentVersion: number | null;
  definition: Definition;
  versions: VersionSummary[];
}

// The publish service's own types (type-only: nothing of the server reaches the bundle).
export type { CheckResult, ConversionSummary } from '../../../src/templates/publish.service';
export type { ConversionChoice, ConversionChoices } from '../../../src/templates/plan';
export type { ConversionView } from '../../../src/templates/conversions.service';
import type { ConversionView } from '../../../src/templates/conversions.service';
import type { CheckResult, ConversionSummary } from '../../../src/templates/publish.service';
import type { TableBudget } from '../../../src/templates/budget';
export type { TableBudget } from '../../../src/templates/budget';
export type { CompactionView } from '../../../src/templates/compaction';
import type { CompactionView } from '../../../src/templates/compaction';

export interface PlanView {
  ok: boolean;
  fromVersion: number | null;
  toVersion: number;
  changes: string[];
  statements: { sql: string; reason: string }[];
  checks: CheckResult[];
  conversions: ConversionSummary[];
  fields: number;
  /** Each table's column slots and row size once published. */
  budget?: TableBudget[];
}

export interface ApiError {
  path: string;
  message: string;
}

export interface Notice {
  message: string;
  type: 'success' | 'error' | 'info';
}

/** Every answer of the builder action carries some of these. */
export interface BuilderResponse {
  template?: TemplateData;
  canEdit?: boolean;
  notice?: Notice;
  errors?: ApiError[];
  plan?: PlanView;
  published?: { version: number; plan: PlanView; durationMs: number; conversions: { id: string; field: string }[] };
  /** The type changes converting in the background (online), newest first. */
  conversions?: ConversionView[];
  schema?: Record<string, unknown>;
  compactions?: CompactionView[];
}

/** Where a field lives: a section's fields (t = null) or a repeating table's columns. */
export interface ItemLoc {
  s: number;
  t: number | null;
  f: number;
}

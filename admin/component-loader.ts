import { ComponentLoader } from 'adminjs';
import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config/paths.js';

/**
 * Every custom admin component, registered once, in one place. A component is a React file in
 * admin/components/; register it here and refer to it as `Components.Name` in resources.
 */
export const COMPONENTS_DIR = path.join(PROJECT_ROOT, 'admin', 'components');

export const componentLoader = new ComponentLoader();

const add = (name: string, file: string) => componentLoader.add(name, path.join(COMPONENTS_DIR, file));

/** Every list of the panel: search box, saved views and columns above AdminJS's own list. */
componentLoader.override('DefaultListAction', path.join(COMPONENTS_DIR, 'list-tools', 'index.tsx'));

export const Components = {
  ConfirmAction: add('ConfirmAction', 'confirm-action.tsx'),
  ConfirmBulkAction: add('ConfirmBulkAction', 'confirm-bulk-action.tsx'),
  SubmissionPayload: add('SubmissionPayload', 'submission-payload.tsx'),
  ReviewPage: add('ReviewPage', 'review-page/index.tsx'),
  FormFill: add('FormFill', 'form-fill/index.tsx'),
  ExportPanel: add('ExportPanel', 'export-panel.tsx'),
  WebhookSecret: add('WebhookSecret', 'webhook-secret.tsx'),
  RecordHistory: add('RecordHistory', 'record-history.tsx'),
  AccountPage: add('AccountPage', 'account-page.tsx'),
  Dashboard: add('Dashboard', 'dashboard.tsx'),
  ReviewQueue: add('ReviewQueue', 'review-queue.tsx'),
  AuditChange: add('AuditChange', 'audit-change.tsx'),
  CodeBlock: add('CodeBlock', 'code-block.tsx'),
  FormBuilder: add('FormBuilder', 'form-builder/index.tsx'),
  StatusBadge: add('StatusBadge', 'status-badge.tsx'),
  StatusFilter: add('StatusFilter', 'status-filter.tsx'),
  SlugInput: add('SlugInput', 'slug-input.tsx'),
  RowNumber: add('RowNumber', 'row-number.tsx'),
};

/** Server modules the components import (pure, browser-safe): part of the bundle, so of its fingerprint. */
const SHARED_SOURCES = [
  path.join(PROJECT_ROOT, 'src', 'templates', 'field-types.ts'),
  path.join(PROJECT_ROOT, 'src', 'review', 'status-display.ts'),
  path.join(PROJECT_ROOT, 'src', 'search', 'list-query.ts'),
  path.join(PROJECT_ROOT, 'src', 'grids', 'slug.ts'),
];
/** The rules engine (src/rules): every file of it, sub-folders included, so a new one is not missed. */
const SHARED_DIRS = [path.join(PROJECT_ROOT, 'src', 'rules')];

/** A fingerprint of the component sources: the prebuilt bundle is rebuilt when it changes. */
export async function componentsFingerprint(adminjsVersion: string): Promise<string> {
  const hash = createHash('sha256').update(adminjsVersion);
  const files = (await readdir(COMPONENTS_DIR, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
    .concat(SHARED_SOURCES);
  for (const dir of SHARED_DIRS) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    files.push(
      ...entries
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name))
        .sort(),
    );
  }
  for (const file of files) {
    hash.update(path.relative(COMPONENTS_DIR, file)).update(await readFile(file));
  }
  hash.update(JSON.stringify(Object.keys(Components).sort()));
  return hash.digest('hex').slice(0, 16);
}

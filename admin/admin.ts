import AdminJS, { type AdminJSOptions, type CurrentAdmin, type Locale, type ResourceWithOptions } from 'adminjs';
import type { Knex } from 'knex';
import { BRAND } from '../src/http/brand.js';
import { buildMetadata, introspectColumns } from './adapter/introspect.js';
import { Components, componentLoader } from './component-loader.js';
import { keysetListFeature, searchHintOf } from './features/keyset-list.feature.js';
import { REFUSAL_MESSAGES } from './errors.js';
import { safeListFeature } from './features/safe-list.feature.js';
import { savedViewsFeature } from './features/saved-views.feature.js';
import { visibleResourceIds } from './page-layout.js';
import { accountPage } from './pages/account.page.js';
import { dashboardHandler } from './pages/dashboard.js';
import { REVIEW_QUEUE_PAGE, reviewQueuePage } from './pages/review-queue.page.js';
import { auditLogResource } from './resources/audit-log.resource.js';
import { formDataResources } from './resources/form-data.resources.js';
import { gridMembersResource } from './resources/grid-members.resource.js';
import { gridsResource } from './resources/grids.resource.js';
import type { AdminDeps, TableResource } from './resources/types.js';
import { usersResource } from './resources/users.resource.js';
import { loginThrottleResource } from './resources/login-throttle.resource.js';
import { templatesResource, templateVersionsResource } from './resources/templates.resource.js';
import { submissionsResource } from './resources/submissions.resource.js';
import { webhookDeliveriesResource, webhooksResource } from './resources/webhooks.resource.js';

export const ADMIN_ROOT = '/admin';

export interface AdminBuildDeps extends AdminDeps {
  knex: Knex;
  databaseName: string;
}

/** The resources of the core tables, in sidebar order. Add a resource: one file, one line here. */
export function coreResources(deps: AdminDeps): TableResource[] {
  return [
    usersResource(deps),
    gridsResource(deps),
    gridMembersResource(deps),
    templatesResource(deps),
    templateVersionsResource(),
    submissionsResource(deps),
    webhooksResource(deps),
    webhookDeliveriesResource(deps),
    auditLogResource(),
    loginThrottleResource(deps),
  ];
}

/**
 * Introspects the tables of the given resource definitions in one query and builds them, with
 * hidden columns removed from the metadata (never selected, never sent).
 */
export async function buildTableResources(
  deps: AdminBuildDeps,
  definitions: TableResource[],
  schema = 'public',
): Promise<ResourceWithOptions[]> {
  const columns = await introspectColumns(
    deps.knex,
    schema,
    definitions.map((d) => d.table),
  );
  const referenceIds: Record<string, string> = Object.fromEntries(
    definitions.map((d) => [`${schema}.${d.table}`, d.table]),
  );
  return definitions.map((definition) => {
    const rows = columns.get(definition.table);
    if (!rows)
      throw new Error(`admin resource ${definition.table}: no such table in schema ${schema} (migrations applied?)`);
    const hidden = new Set(definition.hiddenColumns ?? []);
    const metadata = buildMetadata(
      deps.knex,
      deps.databaseName,
      schema,
      definition.table,
      rows.filter((r) => !hidden.has(r.column_name)),
      { availableValues: definition.availableValues, referenceIds },
    );
    const built = definition.build(metadata);
    return {
      ...built,
      features: [
        ...(built.features ?? []),
        safeListFeature(),
        savedViewsFeature(deps.services.savedViews),
        keysetListFeature(searchHintOf(built.resource)),
      ],
    };
  });
}

export async function buildAdmin(deps: AdminBuildDeps): Promise<AdminJS> {
  const core = coreResources(deps);
  const [coreBuilt, formData] = await Promise.all([
    buildTableResources(deps, core),
    formDataResources({
      pool: deps.pool,
      knex: deps.knex,
      databaseName: deps.databaseName,
      referenceIds: Object.fromEntries(core.map((d) => [`public.${d.table}`, d.table])),
    }),
  ]);
  const resources = [
    ...coreBuilt,
    ...formData.map((r) => ({
      resource: r.resource as unknown,
      options: r.options,
      features: [
        ...(r.features ?? []),
        safeListFeature(),
        savedViewsFeature(deps.services.savedViews),
        keysetListFeature(searchHintOf(r.resource)),
      ],
    })),
  ];
  // Form resources carry builders' words (grid and template titles, field labels): they enter a
  // user's locale only for the resources that user may open (see page-layout.ts).
  const formWords = formData.map((r) => ({
    id: (r.resource as { id(): string }).id(),
    label: r.label,
    properties: r.propertyLabels,
  }));
  const localeFor = (currentAdmin?: CurrentAdmin): Locale => {
    const visible = visibleResourceIds(admin, currentAdmin);
    const mine = formWords.filter((w) => visible.has(w.id));
    return coreLocale(
      Object.fromEntries(mine.map((w) => [w.id, w.label])),
      Object.fromEntries(mine.map((w) => [w.id, { properties: w.properties }])),
    );
  };
  const options: AdminJSOptions = {
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    componentLoader,
    resources,
    dashboard: { component: Components.Dashboard, handler: dashboardHandler(deps) },
    pages: { [REVIEW_QUEUE_PAGE]: reviewQueuePage(deps), account: accountPage(deps) },
    branding: {
      companyName: BRAND.name,
      withMadeWithLove: false,
      logo: BRAND.logo,
      favicon: BRAND.favicon,
    },
    settings: { defaultPerPage: 20 },
    locale: localeFor,
  };
  const admin = new AdminJS(options);
  return admin;
}

/** The panel's own words, with the given form resources' labels. */
function coreLocale(
  formLabels: Record<string, string>,
  formResourceTranslations: Record<string, { properties: Record<string, string> }>,
): Locale {
  const labels: Record<string, string> = {
    ...formLabels,
    users: 'Users',
    grids: 'Grids',
    grid_members: 'Grid members',
    audit_log: 'Audit log',
    login_throttle: 'Sign-in throttling',
    templates: 'Templates',
    template_versions: 'Template versions',
    submissions: 'Submissions',
    webhooks: 'Webhooks',
    webhook_deliveries: 'Webhook deliveries',
    account: 'My account',
  };
  // A list page is titled by what it lists ("Submissions"), not by its action's name ("List").
  const resources: Record<string, { properties?: Record<string, string>; actions: Record<string, string> }> = {};
  for (const [id, label] of Object.entries(labels))
    resources[id] = { ...formResourceTranslations[id], actions: { list: label } };
  return {
    language: 'en',
    availableLanguages: ['en'],
    translations: {
      en: {
        labels,
        pages: { [REVIEW_QUEUE_PAGE]: 'Review queue', account: 'My account' },
        actions: {
          history: 'History',
          softDelete: 'Delete',
          restore: 'Restore',
          unlock: 'Unlock',
          clearThrottle: 'Clear',
          builder: 'Form builder',
          purgeRetired: 'Purge retired columns',
          retry: 'Retry processing',
          retryBulk: 'Retry processing',
          rebuild: 'Rebuild data',
          review: 'Review',
          answer: 'Edit answer',
          fill: 'Fill in',
          claim: 'Claim',
          approve: 'Approve',
          reject: 'Reject',
          reopen: 'Reopen',
          submit: 'Submit',
          approveBulk: 'Approve',
          rejectBulk: 'Reject',
          export: 'Export',
          secret: 'Signing secret',
          deliveries: 'Deliveries',
          ping: 'Send test',
          rotateSecret: 'Rotate secret',
          redeliver: 'Redeliver',
          enable: 'Enable',
          disable: 'Disable',
          deleteDraft: 'Delete draft',
        },
        properties: {
          grid_id: 'Grid',
          user_id: 'User',
          actor_id: 'Actor',
          template_id: 'Template',
          submitted_by: 'Submitted by',
          reviewer_id: 'Reviewer',
          processing_status: 'Processing',
          review_status: 'Review',
          review_overdue_at: 'Review overdue since',
          is_deleted: 'Deleted',
          created_on: 'Created',
          modified_on: 'Modified',
          deleted_on: 'Deleted on',
          last_login_at: 'Last sign-in',
          locked_until: 'Locked until',
          webhook_id: 'Webhook',
          response_code: 'Response',
          redelivery_of: 'Redelivery of',
          url: 'URL',
          duration_ms: 'Duration (ms)',
        },
        resources,
        messages: {
          ...REFUSAL_MESSAGES,
          invalidCredentials: 'Wrong email or password',
          loginWelcome: 'Gridbook: sign in to the back-office',
        },
        components: {
          Login: {
            welcomeHeader: 'Welcome to Gridbook',
            welcomeMessage:
              'The back-office of your grids: forms, submissions, their review and their data. Sign in with the account an administrator gave you.',
            loginButton: 'Sign in',
          },
        },
      },
    },
  };
}

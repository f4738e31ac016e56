import type { AuthService } from './auth/auth.service.js';
import type { ExportService } from './exports/export.service.js';
import type { FilesService } from './files/files.service.js';
import type { FollowUpsService } from './review/follow-ups.service.js';
import type { GridsService } from './grids/grids.service.js';
import type { PublishService } from './templates/publish.service.js';
import type { ReviewQueueService } from './review/queue.service.js';
import type { ReviewService } from './review/review.service.js';
import type { SubmissionBatchService } from './submissions/batch.service.js';
import type { SubmissionsService } from './submissions/submissions.service.js';
import type { TemplatesService } from './templates/templates.service.js';
import type { TokensService } from './auth/tokens.service.js';
import type { UsersService } from './users/users.service.js';
import type { WebhooksService } from './webhooks/webhooks.service.js';
import type { SavedViewsService } from './views/saved-views.service.js';

/** The services of the composition root (runtime.ts), by name: the type that admin resources and tests share. */
export interface Services {
  users: UsersService;
  grids: GridsService;
  auth: AuthService;
  tokens: TokensService;
  templates: TemplatesService;
  publisher: PublishService;
  submissions: SubmissionsService;
  submissionBatches: SubmissionBatchService;
  review: ReviewService;
  reviewQueue: ReviewQueueService;
  followUps: FollowUpsService;
  files: FilesService;
  exports: ExportService;
  webhooks: WebhooksService;
  savedViews: SavedViewsService;
}

import React from 'react';
import { Button, Icon } from '@adminjs/design-system';
import type { TemplateData } from './types';

export type Busy = null | 'save' | 'plan' | 'publish';

/** Title, status and the three steps: save the working definition, plan the publish, publish. */
export const Header: React.FC<{
  template: TemplateData;
  stats: { sections: number; fields: number; tables: number };
  canEdit: boolean;
  dirty: boolean;
  busy: Busy;
  canPublish: boolean;
  publishHint: string;
  onSave: () => void;
  onPlan: () => void;
  onPublish: () => void;
}> = ({ template, stats, canEdit, dirty, busy, canPublish, publishHint, onSave, onPlan, onPublish }) => (
  <div
    className="gbfb-card"
    style={{ padding: '16px 20px', marginBottom: 16, display: 'flex', alignItems: 'center', gap: 16, flexWrap: 'wrap' }}
  >
    <div style={{ flex: '1 1 320px', minWidth: 0 }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 10, flexWrap: 'wrap' }}>
        <span style={{ fontSize: 20, fontWeight: 500 }}>{template.title}</span>
        <span
          className={`gbfb-pill ${template.status === 'published' ? 'green' : template.status === 'archived' ? '' : 'blue'}`}
        >
          {template.status}
        </span>
        <span className="gbfb-pill" data-testid="current-version">
          {template.currentVersion ? `published v${template.currentVersion}` : 'never published'}
        </span>
        {dirty ? (
          <span className="gbfb-pill amber" data-testid="unsaved">
            ● Unsaved changes
          </span>
        ) : null}
        {!canEdit ? (
          <span className="gbfb-pill" data-testid="read-only">
            Read-only
          </span>
        ) : null}
      </div>
      <div className="gbfb-muted" style={{ marginTop: 4 }}>
        <span className="gbfb-mono">{template.slug}</span> · {stats.sections} section{stats.sections === 1 ? '' : 's'} ·{' '}
        {stats.fields.toLocaleString()} field
        {stats.fields === 1 ? '' : 's'}
        {stats.tables ? ` · ${stats.tables} repeating table${stats.tables === 1 ? '' : 's'}` : ''}
      </div>
    </div>
    {canEdit ? (
      <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
        <Button
          variant="contained"
          data-testid="save"
          disabled={!dirty || busy !== null}
          onClick={onSave}
          title="Save the working definition (Ctrl+S)"
        >
          <Icon icon="Save" /> {busy === 'save' ? 'Saving…' : 'Save'}
        </Button>
        <Button
          variant="outlined"
          data-testid="plan"
          disabled={dirty || busy !== null}
          onClick={onPlan}
          title={
            dirty
              ? 'Save first: the plan is made from the saved definition'
              : 'Dry run: the SQL a publish would run and its checks'
          }
        >
          <Icon icon="FileText" /> {busy === 'plan' ? 'Planning…' : 'Plan'}
        </Button>
        <Button
          variant="contained"
          color="success"
          data-testid="publish"
          disabled={!canPublish || busy !== null}
          onClick={onPublish}
          title={publishHint}
        >
          <Icon icon="UploadCloud" /> {busy === 'publish' ? 'Publishing…' : 'Publish'}
        </Button>
      </div>
    ) : null}
  </div>
);

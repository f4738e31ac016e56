import React, { useCallback, useEffect, useMemo, useState } from 'react';
import { LanguageSwitch } from '../form-fill/language-switch';
import { InterfaceTextContext } from '../form-fill/text';
import { interfaceTextIn } from '../../../src/rules/interface-text';
import { useNavigate } from 'react-router';
import { useCurrentAdmin, useNotice, ViewHelpers, type ActionProps } from 'adminjs';
import { Box, Loader, MessageBox } from '@adminjs/design-system';
import { AnswerView } from './answer-view';
import { FilesContext } from './file-list';
import { reviewApi } from './api';
import { Comments } from './comments';
import { FollowUps } from './follow-ups';
import { History } from './history';
import { StatusPanel } from './status-panel';
import { ReviewShortcuts } from './shortcuts';
import { StatusPill } from './status-pill';
import { STYLES } from './styles';
import type { FollowUp, ReviewData, RunOp } from './types';

/**
 * The review page of a submission (record action `review`, admin/actions/review-page.action.ts):
 * the answer by sections on the left; status and commands, comments, follow-ups and history on
 * the right. Every change is one POST (`op`) whose answer is the whole page again.
 */
const ReviewPage: React.FC<ActionProps> = ({ resource, record }) => {
  const recordId = String(record?.id ?? '');
  const api = useMemo(() => reviewApi(resource.id, recordId), [resource.id, recordId]);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const [admin] = useCurrentAdmin();
  const [data, setData] = useState<ReviewData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [language, setLanguage] = useState<string | undefined>(undefined);

  useEffect(() => {
    let live = true;
    api
      .load(language)
      .then((d) => live && setData(d))
      .catch((e: unknown) => live && setLoadError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [api, language]);

  /** One operation at a time; the answer replaces the page, its notice is shown. */
  const run: RunOp = useCallback(
    async (fields) => {
      setBusy(true);
      try {
        const next = await api.post(fields, language);
        if (next.submission) setData(next);
        if (next.notice) addNotice(next.notice);
        return !next.errors?.length && next.notice?.type !== 'error';
      } catch (e) {
        addNotice({ message: e instanceof Error ? e.message : String(e), type: 'error' });
        return false;
      } finally {
        setBusy(false);
      }
    },
    [api, addNotice, language],
  );

  if (loadError) return <MessageBox m="xl" variant="danger" message={loadError} />;
  if (!data) return <Loader />;

  const { submission: s, view, permissions } = data;
  const me = admin?.id ? String(admin.id) : null;
  const mayResolve = (f: FollowUp) => f.canResolve;
  const files = new Map(data.files.map((f) => [f.id, f]));
  const answerUrl = new ViewHelpers().recordActionUrl({ resourceId: resource.id, recordId, actionName: 'answer' });
  const editable = (s.reviewStatus === 'draft' || s.reviewStatus === 'rejected') && permissions.canEdit;
  const editLink = editable ? (
    <a
      href={answerUrl}
      className="gbr-btn outline"
      style={{ marginTop: 10, width: '100%' }}
      data-testid="edit-answer-link"
      onClick={(e) => {
        e.preventDefault();
        navigate(answerUrl);
      }}
    >
      ✎ Edit answer
    </a>
  ) : null;

  return (
    <Box className="gbr" p="xl" data-testid="review-page" data-status={s.reviewStatus}>
      <style>{STYLES}</style>
      <div className="gbr-card gbr-header">
        <div style={{ flex: '1 1 300px', minWidth: 0 }}>
          <div style={{ display: 'flex', alignItems: 'center', gap: 10, flexWrap: 'wrap' }}>
            <span className="gbr-title">{s.templateTitle}</span>
            <span className="gbr-pill grey">#{s.id}</span>
            <StatusPill status={s.reviewStatus} />
            {s.reviewOverdue ? <span className="gbr-pill red">Review overdue</span> : null}
            <LanguageSwitch
              languages={data.languages}
              value={data.language ?? undefined}
              onChange={setLanguage}
              testId="review-language"
              label={interfaceTextIn(data.language ?? undefined).language}
            />
          </div>
          <div className="gbr-muted" style={{ marginTop: 4 }}>
            Version {view.version} ·{' '}
            {data.reviewMode === 'section' ? 'reviewed section by section' : 'reviewed as a whole'} ·{' '}
            {view.sections.length} section
            {view.sections.length === 1 ? '' : 's'}
          </div>
        </div>
        {busy ? <span className="gbr-muted">Working…</span> : null}
        <ReviewShortcuts data={data} busy={busy} run={run} />
      </div>
      <div className="gbr-layout">
        <FilesContext.Provider value={files}>
          {/* The answer's own words (no rows, a count of rows) in the language the reviewer reads the form in. */}
          <InterfaceTextContext.Provider value={interfaceTextIn(data.language ?? undefined)}>
            <AnswerView
              sections={view.sections}
              reviews={data.sections}
              members={data.members}
              permissions={permissions}
              me={me}
              busy={busy}
              run={run}
            />
          </InterfaceTextContext.Provider>
        </FilesContext.Provider>
        <div className="gbr-side">
          <StatusPanel data={data} busy={busy} run={run} editLink={editLink} />
          <Comments comments={data.comments} canComment={permissions.canComment} busy={busy} run={run} />
          <FollowUps
            followUps={data.followUps}
            members={data.members}
            canCreate={permissions.canFollowUp}
            mayResolve={mayResolve}
            busy={busy}
            run={run}
          />
          <History
            entries={data.history}
            members={data.members}
            sectionLabels={Object.fromEntries(data.sections.map((x) => [x.sectionId, x.label]))}
          />
        </div>
      </div>
    </Box>
  );
};

export default ReviewPage;

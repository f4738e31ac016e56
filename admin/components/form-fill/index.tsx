import React, { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useNotice, ViewHelpers, type ActionProps } from 'adminjs';
import { Box, Loader, MessageBox } from '@adminjs/design-system';
import { fillApi } from './api';
import { ErrorSummary } from './error-summary';
import { indexErrors } from './errors';
import { UploadContext } from './files-input';
import { Header, RejectionReason } from './header';
import { LanguageSwitch } from './language-switch';
import { compileRules } from '../../../src/rules/index';
import { localize } from '../../../src/rules/language';
import { SectionForm } from './section-form';
import { STYLES } from './styles';
import { InterfaceTextContext } from './text';
import { interfaceTextIn } from '../../../src/rules/interface-text';
import type { Answer, ApiError, FillData } from './types';
import { answerProblems, buildAnswer, computedAnswer, constraintProblems, initialValues } from './values';
import { useUnsavedGuard } from '../shared/unsaved-guard';

type Busy = null | 'save' | 'submit';

/**
 * The answer page: a new submission for a template (record action `fill` of templates) or the
 * edit of a draft or rejected submission (`answer` of submissions). Saves as a draft, or saves
 * and submits for review; the server's errors show next to their inputs and at the top.
 */
const FormFill: React.FC<ActionProps> = ({ resource, record, action }) => {
  const recordId = String(record?.id ?? '');
  const api = useMemo(() => fillApi(resource.id, recordId, action.name), [resource.id, recordId, action.name]);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const [info, setInfo] = useState<FillData | null>(null);
  const [values, setValues] = useState<Answer>({});
  const [savedJson, setSavedJson] = useState('');
  const [serverErrors, setServerErrors] = useState<ApiError[]>([]);
  // The answer the page's own check refused (before sending it), judged again in each language picked.
  const [refused, setRefused] = useState<{ answer: Answer; draft: boolean } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [attempt, setAttempt] = useState<'save' | 'submit'>('save');
  const [language, setLanguage] = useState<string | undefined>(undefined);
  // The form in the chosen language (its default first): labels, options, help and constraint messages.
  const definition = useMemo(
    () => (info ? compileRules(info.definition, language).definition : null),
    [info, language],
  );

  /** Takes the server's form as the new starting point. */
  const adopt = useCallback((next: FillData) => {
    const start = initialValues(localize(next.definition), next.data ?? {});
    setInfo(next);
    setValues(start);
    setSavedJson(
      JSON.stringify(
        buildAnswer(localize(next.definition), start, next.data ?? {}, new Set(next.lockedSections ?? [])),
      ),
    );
  }, []);

  useEffect(() => {
    api
      .load()
      .then(adopt)
      .catch((e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, [api, adopt]);

  const locked = useMemo(() => new Set(info?.lockedSections ?? []), [info]);
  const answer = useMemo(
    () => (info && definition ? buildAnswer(definition, values, info.data ?? {}, locked) : {}),
    [info, definition, values, locked],
  );
  const dirty = info !== null && JSON.stringify(answer) !== savedJson;
  // A half-filled answer is not left behind without a word (a reload, the sidebar, a breadcrumb).
  useUnsavedGuard(dirty);
  // Calculated values and the builder's constraints, live, by the engine the server runs.
  const computed = useMemo(() => (definition ? computedAnswer(definition, values) : {}), [definition, values]);
  const live = useMemo(() => (definition ? constraintProblems(definition, answer) : []), [definition, answer]);
  const errors = useMemo(
    () => (refused && definition ? answerProblems(definition, refused.answer, refused.draft) : serverErrors),
    [refused, definition, serverErrors],
  );
  const errorIndex = useMemo(() => {
    const seen = new Set(errors.map((e) => `${e.path}\u0000${e.message}`));
    return indexErrors([...errors, ...live.filter((e) => !seen.has(`${e.path}\u0000${e.message}`))]);
  }, [errors, live]);

  // The page's own words in the same language as the form's texts.
  const shownLanguage = language ?? definition?.defaultLanguage ?? info?.definition.languages?.[0];
  const t = interfaceTextIn(shownLanguage);

  if (loadError) return <MessageBox m="xl" variant="danger" message={loadError} />;
  if (!info || !definition) return <Loader />;

  const { mode, reviewStatus } = info;
  const editable = mode === 'create' || reviewStatus === 'draft' || reviewStatus === 'rejected';
  const rejected = reviewStatus === 'rejected';

  const save = async (submit: boolean) => {
    setAttempt(submit ? 'submit' : 'save');
    // The API's own rules, on the very answer it would get: every problem at once, nothing sent.
    const problems = answerProblems(definition, answer, !submit);
    if (problems.length) {
      setRefused({ answer, draft: !submit });
      setServerErrors([]);
      setFailure(null);
      addNotice({
        message: t.needsFixing(problems.length),
        type: 'error',
      });
      return;
    }
    setBusy(submit ? 'submit' : 'save');
    try {
      const next = await api.save(answer, submit, language);
      if (next.notice) addNotice(next.notice);
      if (next.errors?.length || next.notice?.type === 'error') {
        // Keep what the user typed: the answer on failure is the stored one.
        setRefused(null);
        setServerErrors(next.errors ?? []);
        setFailure(next.errors?.length ? null : (next.notice?.message ?? t.notSaved));
        return;
      }
      setRefused(null);
      setServerErrors([]);
      setFailure(null);
      if (mode === 'create' && next.redirectUrl) {
        navigate(next.redirectUrl.replace(/^https?:\/\/[^/]+/, ''));
        return;
      }
      adopt(next);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      setFailure(message);
      addNotice({ message, type: 'error' });
    } finally {
      setBusy(null);
    }
  };

  const showUrl = new ViewHelpers().recordActionUrl({ resourceId: resource.id, recordId, actionName: 'show' });
  const saveLabel = rejected ? t.save : t.saveDraft;
  const submitLabel = rejected ? t.saveAndSubmit : t.submit;

  return (
    <InterfaceTextContext.Provider value={t}>
      <Box className="gbff" p="xl" data-testid="form-fill" data-mode={mode} lang={shownLanguage}>
        <style>{STYLES}</style>
        <div className="gbff-wrap">
          <Header
            info={info}
            title={definition.title ?? info.templateTitle}
            recordId={recordId}
            dirty={dirty}
            language={
              <LanguageSwitch
                languages={info.definition.languages}
                value={shownLanguage}
                onChange={setLanguage}
                testId="fill-language"
                label={t.language}
              />
            }
          />
          {rejected && info.reviewReason ? (
            <RejectionReason reason={info.reviewReason} definition={definition} lockedCount={locked.size} />
          ) : null}
          {!editable ? (
            <div className="gbff-callout green" data-testid="fill-readonly">
              <div className="gbff-callout-title">
                {reviewStatus === 'approved' ? t.status.approved : t.sentForReview}
              </div>
              <div>
                {t.cannotEdit(reviewStatus ? t.status[reviewStatus] : '')}{' '}
                <a
                  href={showUrl}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(showUrl);
                  }}
                >
                  {t.viewSubmission}
                </a>
              </div>
            </div>
          ) : null}
          {errors.length ? (
            <ErrorSummary errors={errors} definition={definition} title={t.problemsTitle(attempt, errors.length)} />
          ) : null}
          {failure ? (
            <div data-testid="fill-errors" style={{ marginBottom: 16 }}>
              <MessageBox variant="danger" message={failure} />
            </div>
          ) : null}
          <UploadContext.Provider value={{ submissionId: mode === 'edit' ? recordId : null }}>
            {definition.sections.map((section) => (
              <SectionForm
                key={section.id}
                definition={definition}
                section={section}
                values={values[section.key] ?? {}}
                whole={computed}
                errors={errorIndex}
                locked={locked.has(section.id)}
                disabled={!editable}
                onChange={(next) => setValues((v) => ({ ...v, [section.key]: next }))}
              />
            ))}
          </UploadContext.Provider>
          {editable ? (
            <div className="gbff-bar">
              <span className="gbff-muted" style={{ flex: 1 }}>
                {rejected ? t.hintRejected : mode === 'create' ? t.hintCreate : t.hintDraft}
              </span>
              <button
                type="button"
                className="gbff-btn outline"
                data-testid="fill-save"
                disabled={busy !== null || (mode === 'edit' && !dirty && rejected)}
                onClick={() => save(false)}
              >
                {busy === 'save' ? t.saving : saveLabel}
              </button>
              <button
                type="button"
                className="gbff-btn"
                data-testid="fill-submit"
                disabled={busy !== null}
                onClick={() => save(true)}
              >
                {busy === 'submit' ? t.submitting : submitLabel}
              </button>
            </div>
          ) : null}
        </div>
      </Box>
    </InterfaceTextContext.Provider>
  );
};

export default FormFill;

import React, { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import { Translations } from './translations';
import { FormLanguages } from './language';
import { useNotice, type ActionProps } from 'adminjs';
import { Box, Loader, MessageBox } from '@adminjs/design-system';
import { builderApi } from './api';
import { ErrorSummary } from './error-summary';
import { indexErrors, NO_ERRORS, type ErrorIndex, type LocatedError } from './errors';
import { AUTOCOMPLETE_STYLES, ExpressionDefinition, ExpressionProblems, expressionProblems } from './expression-editor';
import { reactKeys } from './field-editor';
import { Header, type Busy } from './header';
import { JsonTab } from './json-tab';
import { PlanView, PublishResult, type PublishOutcome } from './plan-view';
import { Conversions } from './conversions';
import { Preview } from './preview';
import { SectionEditor } from './section-editor';
import { builderReducer, initialState } from './state';
import type { ConversionChoices, Definition, PlanView as Plan, TemplateData } from './types';
import { AddButton, ReadOnly, STYLES } from './ui';
import { Versions } from './versions';
import { useUnsavedGuard } from '../shared/unsaved-guard';

type Tab = 'editor' | 'preview' | 'translations' | 'json' | 'versions';

/** Big templates open with their sections closed: the page stays quick, the headers give the overview. */
const OPEN_ALL_UP_TO = 150;

/**
 * The form builder page (record action `builder` of templates): a visual editor of the working
 * definition, a live preview, the raw JSON, and the save → plan → publish steps.
 */
const FormBuilder: React.FC<ActionProps> = ({ resource, record }) => {
  const api = useMemo(() => builderApi(resource.id, String(record?.id ?? '')), [resource.id, record?.id]);
  const addNotice = useNotice();
  const [template, setTemplate] = useState<TemplateData | null>(null);
  const [canEdit, setCanEdit] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [state, dispatch] = useReducer(builderReducer, { sections: [] }, initialState);
  const [errors, setErrors] = useState<ErrorIndex>(NO_ERRORS);
  // The plan remembers which saved definition it was made from: publishing needs it current.
  const [plan, setPlan] = useState<{ plan: Plan; savedJson: string; choicesJson: string } | null>(null);
  // What to do with values a type change cannot convert, by field path: sent with the plan and the publish.
  const [choices, setChoices] = useState<ConversionChoices>({});
  const [planFailure, setPlanFailure] = useState<PublishOutcome | null>(null);
  const [outcome, setOutcome] = useState<PublishOutcome | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [tab, setTab] = useState<Tab>('editor');

  const reload = useCallback(async () => {
    const data = await api.load();
    if (!data.template) throw new Error(data.notice?.message ?? 'The template could not be loaded');
    setTemplate(data.template);
    setCanEdit(data.canEdit === true);
    dispatch({ type: 'load', definition: data.template.definition });
  }, [api]);

  useEffect(() => {
    reload().catch((e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, [reload]);

  const { definition, savedJson } = state;
  const dirty = useMemo(() => JSON.stringify(definition) !== savedJson, [definition, savedJson]);
  // The same object while the languages stay: the memoized rows that read it do not re-render on every edit.
  const languages = useMemo(
    () => ({ languages: definition.languages, defaultLanguage: definition.defaultLanguage }),
    [definition.languages, definition.defaultLanguage],
  );
  const stats = useMemo(
    () => ({
      sections: definition.sections.length,
      fields: definition.sections.reduce(
        (n, s) => n + s.fields.length + (s.tables ?? []).reduce((m, t) => m + t.columns.length, 0),
        0,
      ),
      tables: definition.sections.reduce((n, s) => n + (s.tables?.length ?? 0), 0),
    }),
    [definition],
  );

  /** Runs one operation: one at a time, failures of the request itself shown as a notice. */
  const run = async (what: Exclude<Busy, null>, fn: () => Promise<void>) => {
    setBusy(what);
    try {
      await fn();
    } catch (e) {
      addNotice({ message: e instanceof Error ? e.message : String(e), type: 'error' });
    } finally {
      setBusy(null);
    }
  };

  const save = () =>
    run('save', async () => {
      const submitted = definition;
      const data = await api.save(submitted);
      if (data.notice) addNotice(data.notice);
      if (data.errors?.length || !data.template) {
        setErrors(indexErrors(submitted, data.errors ?? [{ path: '', message: data.notice?.message ?? 'Not saved' }]));
        setTab('editor');
        return;
      }
      setErrors(NO_ERRORS);
      setTemplate((t) => ({ ...data.template!, versions: data.template!.versions ?? t?.versions ?? [] }));
      dispatch({ type: 'saved', submitted, stored: data.template.definition });
      setPlan(null);
      setChoices({});
      setPlanFailure(null);
      setOutcome(null);
    });

  const makePlan = () =>
    run('plan', async () => {
      const data = await api.plan(choices);
      setOutcome(null);
      if (data.plan && !data.errors) {
        setPlan({ plan: data.plan, savedJson, choicesJson: JSON.stringify(choices) });
        setPlanFailure(null);
      } else {
        setPlan(null);
        setPlanFailure({ ok: false, message: data.notice?.message ?? 'The plan failed', errors: data.errors ?? [] });
      }
    });

  const publish = () => {
    if (!template || !plan) return;
    const n = plan.plan.statements.length;
    if (
      !window.confirm(
        `Publish version ${plan.plan.toVersion} of "${template.title}"? This runs ${n} SQL statement${n === 1 ? '' : 's'} on the form tables.`,
      )
    )
      return;
    return run('publish', async () => {
      const data = await api.publish(template.currentVersion ?? 0, JSON.parse(plan.choicesJson) as ConversionChoices);
      if (data.notice) addNotice(data.notice);
      if (data.published) {
        setOutcome({
          ok: true,
          version: data.published.version,
          durationMs: data.published.durationMs,
          statements: data.published.plan.statements.length,
        });
        setPlan(null);
        await reload();
      } else {
        setOutcome({ ok: false, message: data.notice?.message ?? 'Publish refused', errors: data.errors ?? [] });
        setPlan(data.plan ? { plan: data.plan, savedJson, choicesJson: plan.choicesJson } : null);
      }
    });
  };

  // Ctrl+S / Cmd+S saves; leaving with unsaved changes asks first (a reload or any link).
  const saveRef = React.useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 's') {
        e.preventDefault();
        if (canEdit && dirty && busy === null) void saveRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canEdit, dirty, busy]);
  useUnsavedGuard(dirty);

  const showError = useCallback((e: LocatedError) => {
    setTab('editor');
    requestAnimationFrame(() =>
      document.querySelector(`[data-item-id="${e.itemId}"]`)?.scrollIntoView({ behavior: 'smooth', block: 'center' }),
    );
  }, []);
  const applyJson = useCallback((next: Definition) => dispatch({ type: 'replace', definition: next }), []);
  const loadSchema = useCallback(async () => (await api.preview()).schema ?? null, [api]);

  if (loadError) return <MessageBox m="xl" variant="danger" message={loadError} />;
  if (!template) return <Loader />;

  const planCurrent = plan !== null && plan.savedJson === savedJson && plan.choicesJson === JSON.stringify(choices);
  const canPublish = canEdit && !dirty && planCurrent && plan!.plan.ok;
  const publishHint = dirty
    ? 'Save, then plan, before publishing'
    : !plan
      ? 'Plan first: publishing is enabled by a successful plan'
      : !planCurrent
        ? 'Plan again: the choices changed since this plan'
        : !plan.plan.ok
          ? 'The plan has failing checks'
          : 'Publish the plan';
  const sectionKeys = reactKeys(definition.sections);
  // The checker's messages under each expression input, as the builder types (once per change).
  const checked = expressionProblems(definition);
  const tabs: { id: Tab; label: string }[] = [
    { id: 'editor', label: 'Editor' },
    { id: 'preview', label: 'Preview' },
    { id: 'translations', label: 'Translations' },
    { id: 'json', label: 'JSON' },
    { id: 'versions', label: `Versions (${template.versions.length})` },
  ];

  return (
    <ReadOnly.Provider value={!canEdit}>
      <FormLanguages.Provider value={languages}>
        <Box className="gbfb" p="xl" data-testid="builder" data-dirty={String(dirty)}>
          <style>{STYLES + AUTOCOMPLETE_STYLES}</style>
          <Header
            template={template}
            stats={stats}
            canEdit={canEdit}
            dirty={dirty}
            busy={busy}
            canPublish={canPublish}
            publishHint={publishHint}
            onSave={save}
            onPlan={makePlan}
            onPublish={publish}
          />
          {!canEdit ? (
            <MessageBox
              mb="lg"
              variant="info"
              message="You can look at this template but not change it: only builders and managers of its grid edit templates."
            />
          ) : null}
          {errors.list.length ? <ErrorSummary errors={errors.list} onShow={showError} /> : null}
          {outcome ? <PublishResult outcome={outcome} /> : null}
          {template.currentVersion !== null ? (
            <Conversions api={api} refresh={template.currentVersion} canEdit={canEdit} />
          ) : null}
          {planFailure ? <PublishResult outcome={planFailure} /> : null}
          {plan ? (
            <div className="gbfb-card" style={{ padding: '14px 20px', marginBottom: 16 }}>
              <div style={{ display: 'flex', alignItems: 'center', marginBottom: 8 }}>
                <span style={{ fontWeight: 500, fontSize: 15, flex: 1 }}>Publish plan</span>
                <button
                  type="button"
                  className="gbfb-link-btn"
                  style={{ padding: '2px 10px' }}
                  onClick={() => setPlan(null)}
                >
                  Close
                </button>
              </div>
              <PlanView
                plan={plan.plan}
                stale={!planCurrent || dirty}
                choices={choices}
                onChoose={canEdit ? (field, choice) => setChoices((all) => ({ ...all, [field]: choice })) : undefined}
                compaction={canEdit ? api : undefined}
              />
            </div>
          ) : null}

          <div className="gbfb-tabs" role="tablist">
            {tabs.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                className={`gbfb-tab${tab === t.id ? ' active' : ''}`}
                data-testid={`tab-${t.id}`}
                onClick={() => setTab(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>

          {tab === 'editor' ? (
            <ExpressionProblems.Provider value={checked}>
              <ExpressionDefinition.Provider value={definition}>
                <div data-testid="editor">
                  {definition.sections.map((section, s) => (
                    <SectionEditor
                      key={sectionKeys[s]}
                      section={section}
                      s={s}
                      isLast={s === definition.sections.length - 1}
                      errors={errors}
                      focusId={state.focusId}
                      initiallyOpen={stats.fields <= OPEN_ALL_UP_TO || section.fields.length <= 20}
                      dispatch={dispatch}
                    />
                  ))}
                  <AddButton
                    label="Add section"
                    testId="add-section"
                    onClick={() => dispatch({ type: 'section/add' })}
                  />
                </div>
              </ExpressionDefinition.Provider>
            </ExpressionProblems.Provider>
          ) : null}
          {tab === 'preview' ? <Preview definition={definition} loadSchema={loadSchema} /> : null}
          {tab === 'translations' ? (
            <Translations definition={definition} readOnly={!canEdit} onChange={applyJson} />
          ) : null}
          {tab === 'json' ? <JsonTab definition={definition} onApply={applyJson} /> : null}
          {tab === 'versions' ? <Versions versions={template.versions} current={template.currentVersion} /> : null}
        </Box>
      </FormLanguages.Provider>
    </ReadOnly.Provider>
  );
};

export default FormBuilder;

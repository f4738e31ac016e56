import React, { useState } from 'react';
import { ago, formatDateTime, formatDay } from './format';
import type { FollowUp, Member, RunOp } from './types';

/**
 * Follow-up tasks on a submission: open ones first (overdue marked), each resolvable by its
 * assignee, its author or a manager; and a form to create one for a member of the grid.
 */

const ResolveForm: React.FC<{ followUp: FollowUp; busy: boolean; run: RunOp; onDone: () => void }> = ({
  followUp,
  busy,
  run,
  onDone,
}) => {
  const [resolution, setResolution] = useState('');
  return (
    <div style={{ marginTop: 8 }}>
      <input
        className="gbr-input"
        placeholder="How was it resolved? (optional)"
        value={resolution}
        autoFocus
        maxLength={2000}
        data-testid="followup-resolution"
        aria-label="Resolution"
        onChange={(e) => setResolution(e.target.value)}
      />
      <div className="gbr-actions" style={{ marginTop: 6 }}>
        <button
          type="button"
          className="gbr-btn sm success"
          data-testid="followup-resolve-confirm"
          disabled={busy}
          onClick={async () => {
            if (await run({ op: 'resolve', followUpId: followUp.id, resolution: resolution.trim() })) onDone();
          }}
        >
          Mark resolved
        </button>
        <button type="button" className="gbr-btn link" disabled={busy} onClick={onDone}>
          Cancel
        </button>
      </div>
    </div>
  );
};

const Item: React.FC<{ followUp: FollowUp; canResolve: boolean; busy: boolean; run: RunOp }> = ({
  followUp: f,
  canResolve,
  busy,
  run,
}) => {
  const [resolving, setResolving] = useState(false);
  return (
    <li
      data-testid={`followup-${f.id}`}
      data-overdue={String(f.overdue)}
      style={f.resolvedAt ? { opacity: 0.75 } : undefined}
    >
      <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start' }}>
        <span style={{ flex: 1, fontWeight: 500, textDecoration: f.resolvedAt ? 'line-through' : undefined }}>
          {f.title}
        </span>
        {f.overdue ? (
          <span className="gbr-pill red" data-testid="followup-overdue">
            Overdue
          </span>
        ) : null}
        {f.resolvedAt ? <span className="gbr-pill green">Resolved</span> : <span className="gbr-pill amber">Open</span>}
      </div>
      <div className="gbr-meta" style={{ marginTop: 2 }}>
        <span>{f.assigneeName ? `for ${f.assigneeName}` : 'unassigned'}</span>
        {f.dueOn ? <span style={f.overdue ? { color: '#C20012' } : undefined}>· due {formatDay(f.dueOn)}</span> : null}
        <span title={formatDateTime(f.createdAt)}>· created {ago(f.createdAt)}</span>
      </div>
      {f.details ? (
        <div className="gbr-value gbr-small" style={{ marginTop: 2 }}>
          {f.details}
        </div>
      ) : null}
      {f.resolvedAt ? (
        <div className="gbr-small" style={{ marginTop: 4, color: '#007D7F' }}>
          Resolved {ago(f.resolvedAt)}
          {f.resolution ? `: ${f.resolution}` : ''}
        </div>
      ) : null}
      {!f.resolvedAt && canResolve && !resolving ? (
        <button
          type="button"
          className="gbr-btn link"
          style={{ marginTop: 4 }}
          data-testid={`followup-resolve-${f.id}`}
          disabled={busy}
          onClick={() => setResolving(true)}
        >
          Resolve…
        </button>
      ) : null}
      {resolving ? <ResolveForm followUp={f} busy={busy} run={run} onDone={() => setResolving(false)} /> : null}
    </li>
  );
};

const EMPTY = { title: '', details: '', assigneeId: '', dueOn: '' };

const CreateForm: React.FC<{ members: Member[]; busy: boolean; run: RunOp; onDone: () => void }> = ({
  members,
  busy,
  run,
  onDone,
}) => {
  const [form, setForm] = useState(EMPTY);
  const set =
    (k: keyof typeof EMPTY) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
      setForm({ ...form, [k]: e.target.value });
  return (
    <div
      style={{ marginTop: 10, padding: 12, background: '#FBFBFC', border: '1px solid #EEEEEF', borderRadius: 4 }}
      data-testid="followup-form"
    >
      <div className="gbr-field">
        <label htmlFor="followup-title">Title</label>
        <input
          id="followup-title"
          className="gbr-input"
          value={form.title}
          autoFocus
          maxLength={500}
          data-testid="followup-title"
          onChange={set('title')}
        />
      </div>
      <div className="gbr-field">
        <label htmlFor="followup-details">Details</label>
        <textarea
          id="followup-details"
          className="gbr-input"
          rows={2}
          value={form.details}
          maxLength={10000}
          data-testid="followup-details"
          onChange={set('details')}
        />
      </div>
      <div className="gbr-row">
        <div className="gbr-field">
          <label htmlFor="followup-assignee">Assignee</label>
          <select
            id="followup-assignee"
            className="gbr-input"
            value={form.assigneeId}
            data-testid="followup-assignee"
            onChange={set('assigneeId')}
          >
            <option value="">Nobody yet</option>
            {members.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({m.role})
              </option>
            ))}
          </select>
        </div>
        <div className="gbr-field">
          <label htmlFor="followup-due">Due on</label>
          <input
            id="followup-due"
            type="date"
            className="gbr-input"
            value={form.dueOn}
            data-testid="followup-due"
            onChange={set('dueOn')}
          />
        </div>
      </div>
      <div className="gbr-actions" style={{ marginTop: 4 }}>
        <button
          type="button"
          className="gbr-btn sm"
          data-testid="followup-create"
          disabled={busy || !form.title.trim()}
          onClick={async () => {
            if (await run({ op: 'followUp', ...form, title: form.title.trim() })) {
              setForm(EMPTY);
              onDone();
            }
          }}
        >
          Create follow-up
        </button>
        <button type="button" className="gbr-btn link" disabled={busy} onClick={onDone}>
          Cancel
        </button>
      </div>
    </div>
  );
};

export const FollowUps: React.FC<{
  followUps: FollowUp[];
  members: Member[];
  canCreate: boolean;
  mayResolve: (f: FollowUp) => boolean;
  busy: boolean;
  run: RunOp;
}> = ({ followUps, members, canCreate, mayResolve, busy, run }) => {
  const [creating, setCreating] = useState(false);
  const open = followUps.filter((f) => !f.resolvedAt).length;
  // Open first, overdue first among them; resolved ones after, newest first.
  const sorted = [...followUps].sort(
    (a, b) =>
      Number(!!a.resolvedAt) - Number(!!b.resolvedAt) ||
      Number(b.overdue) - Number(a.overdue) ||
      (a.resolvedAt ? Number(b.id) - Number(a.id) : Number(a.id) - Number(b.id)),
  );
  return (
    <div className="gbr-card" data-testid="followups">
      <div className="gbr-card-head">
        <span className="gbr-card-title">Follow-ups</span>
        <span className="gbr-pill grey" title="open / all">
          {open} open{followUps.length !== open ? ` · ${followUps.length}` : ''}
        </span>
        {canCreate && !creating ? (
          <button
            type="button"
            className="gbr-btn sm outline"
            data-testid="followup-new"
            onClick={() => setCreating(true)}
          >
            + New
          </button>
        ) : null}
      </div>
      <div className="gbr-card-body">
        {followUps.length === 0 && !creating ? <div className="gbr-muted">No follow-ups.</div> : null}
        <ul className="gbr-list">
          {sorted.map((f) => (
            <Item key={f.id} followUp={f} canResolve={mayResolve(f)} busy={busy} run={run} />
          ))}
        </ul>
        {creating ? <CreateForm members={members} busy={busy} run={run} onDone={() => setCreating(false)} /> : null}
      </div>
    </div>
  );
};

import React, { useState } from 'react';
import { ago, formatDateTime } from './format';
import type { Comment, RunOp } from './types';

/** The discussion on a submission: oldest first, and a box to add to it. */
export const Comments: React.FC<{ comments: Comment[]; canComment: boolean; busy: boolean; run: RunOp }> = ({
  comments,
  canComment,
  busy,
  run,
}) => {
  const [body, setBody] = useState('');
  return (
    <div className="gbr-card" data-testid="comments">
      <div className="gbr-card-head">
        <span className="gbr-card-title">Comments</span>
        <span className="gbr-pill grey">{comments.length}</span>
      </div>
      <div className="gbr-card-body">
        {comments.length === 0 ? (
          <div className="gbr-muted" style={{ marginBottom: 10 }}>
            No comments yet.
          </div>
        ) : null}
        <ul className="gbr-list" style={{ marginBottom: comments.length ? 10 : 0 }}>
          {comments.map((c) => (
            <li key={c.id} data-testid="comment">
              <div className="gbr-meta">
                <b>{c.authorName}</b>
                <span title={formatDateTime(c.createdAt)}>· {ago(c.createdAt)}</span>
              </div>
              <div className="gbr-value gbr-small">{c.body}</div>
            </li>
          ))}
        </ul>
        {canComment ? (
          <div>
            <textarea
              className="gbr-input"
              rows={2}
              placeholder="Add a comment…"
              value={body}
              data-testid="comment-body"
              maxLength={10000}
              aria-label="Comment"
              onChange={(e) => setBody(e.target.value)}
            />
            <div className="gbr-actions" style={{ marginTop: 6, justifyContent: 'flex-end' }}>
              <button
                type="button"
                className="gbr-btn sm"
                data-testid="comment-add"
                disabled={busy || !body.trim()}
                onClick={async () => {
                  if (await run({ op: 'comment', body: body.trim() })) setBody('');
                }}
              >
                Comment
              </button>
            </div>
          </div>
        ) : null}
      </div>
    </div>
  );
};

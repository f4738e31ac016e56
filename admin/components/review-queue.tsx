import React, { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useNotice } from 'adminjs';
import { Loader } from '@adminjs/design-system';
import { STYLES } from './review-page/styles';
import { StatusPill } from './review-page/status-pill';
import { queueApi, reviewUrl, type QueueData, type QueueItem, type QueueList } from './review-queue/api';

const when = (iso: string) => new Date(iso).toLocaleString();

const Rows: React.FC<{ list: QueueList; testId: string; empty: string; claimed: boolean }> = ({
  list,
  testId,
  empty,
  claimed,
}) => {
  const navigate = useNavigate();
  if (list.items.length === 0)
    return (
      <div className="gbr-muted" data-testid={`${testId}-empty`} style={{ padding: '8px 0' }}>
        {empty}
      </div>
    );
  const open = (item: QueueItem) => (e: React.MouseEvent) => {
    e.preventDefault();
    navigate(reviewUrl(item.id));
  };
  return (
    <table className="gbr-table" data-testid={testId}>
      <thead>
        <tr>
          <th>Submission</th>
          <th>Form</th>
          <th>Grid</th>
          <th>Submitted by</th>
          <th>Since</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {list.items.map((item) => (
          <tr key={item.id} data-testid={`${testId}-row`} data-id={item.id}>
            <td>
              <a href={reviewUrl(item.id)} onClick={open(item)}>
                #{item.id}
              </a>
            </td>
            <td>{item.templateTitle}</td>
            <td>{item.gridTitle}</td>
            <td>{item.submitterName}</td>
            <td>{when(item.submittedAt)}</td>
            <td>
              <span style={{ display: 'inline-flex', gap: 6, flexWrap: 'wrap' }}>
                {item.overdue ? <span className="gbr-pill red">Overdue</span> : null}
                <StatusPill status={item.reviewStatus} />
                {item.reviewMode === 'section' ? (
                  <span className="gbr-pill grey">
                    {claimed
                      ? `${item.mySections} section${item.mySections === 1 ? '' : 's'} yours`
                      : `${item.openSections} section${item.openSections === 1 ? '' : 's'} to claim`}
                  </span>
                ) : null}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

/**
 * The review queue (page `reviewQueue`): what waits for my review and what I claimed, overdue
 * first, with "Claim next", which takes the first waiting submission and opens its review page.
 */
const ReviewQueue: React.FC = () => {
  const [data, setData] = useState<QueueData | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();

  // Loads once, on mount (useNotice gives a new function at each render).
  useEffect(() => {
    void queueApi.load().then((d) => {
      setData(d);
      if (d.notice) addNotice(d.notice);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const claimNext = async () => {
    setBusy(true);
    try {
      const answer = await queueApi.claimNext();
      if (answer.notice) addNotice(answer.notice);
      if (answer.claimedId) navigate(reviewUrl(answer.claimedId));
      else setData(await queueApi.load());
    } finally {
      setBusy(false);
    }
  };

  if (!data) return <Loader />;
  const queue = data.queue;
  return (
    <div className="gbr" style={{ padding: 32 }} data-testid="review-queue">
      <style>{STYLES}</style>
      <div className="gbr-card gbr-header">
        <div style={{ flex: '1 1 300px' }}>
          <div className="gbr-title">Review queue</div>
          <div className="gbr-muted" style={{ marginTop: 4 }}>
            What waits for your review and what you claimed, overdue first. On a review page: <b>A</b> approve, <b>R</b>{' '}
            reject, <b>N</b> next.
          </div>
        </div>
        <button
          type="button"
          className="gbr-btn"
          data-testid="claim-next"
          disabled={busy || !queue || queue.waiting.count === 0}
          onClick={claimNext}
          title="Take the first waiting submission into your review and open it"
        >
          Claim next
        </button>
      </div>
      {queue ? (
        <>
          <div className="gbr-card" style={{ marginBottom: 20 }}>
            <div className="gbr-card-head">
              <span className="gbr-card-title">Claimed by me</span>
              <span className="gbr-pill blue" data-testid="claimed-count">
                {queue.claimed.count}
              </span>
            </div>
            <div className="gbr-card-body">
              <Rows list={queue.claimed} testId="queue-claimed" empty="You have nothing in review." claimed />
            </div>
          </div>
          <div className="gbr-card">
            <div className="gbr-card-head">
              <span className="gbr-card-title">Waiting for review</span>
              {queue.waiting.overdue ? <span className="gbr-pill red">{queue.waiting.overdue} overdue</span> : null}
              <span className="gbr-pill blue" data-testid="waiting-count">
                {queue.waiting.count}
              </span>
            </div>
            <div className="gbr-card-body">
              <Rows
                list={queue.waiting}
                testId="queue-waiting"
                empty="Nothing waits for your review."
                claimed={false}
              />
            </div>
          </div>
        </>
      ) : null}
    </div>
  );
};

export default ReviewQueue;

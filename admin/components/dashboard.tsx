import React, { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiClient, useCurrentAdmin } from 'adminjs';
import { Box, H2, H5, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { REVIEW_QUEUE_URL, reviewUrl } from './review-queue/api';

const api = new ApiClient();

// What admin/pages/dashboard.ts answers (type-only: nothing of the server reaches the bundle).
import type { DashboardData } from '../pages/dashboard';

const REVIEW_LABELS: Record<string, string> = {
  draft: 'Drafts',
  submitted: 'Submitted',
  in_review: 'In review',
  approved: 'Approved',
  rejected: 'Rejected',
};

/** A link the panel follows in the page (no reload), like AdminJS's own links. */
const InLink: React.FC<{
  href: string;
  children: React.ReactNode;
  testId?: string;
  style?: React.CSSProperties;
  className?: string;
}> = ({ href, children, testId, style, className }) => {
  const navigate = useNavigate();
  return (
    <a
      href={href}
      data-testid={testId}
      style={style}
      className={className}
      onClick={(e) => {
        if (href.startsWith('#') || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey)
          return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
};

/** A stat card: a number that links to the list it counts. */
const Stat: React.FC<{ label: string; value: number; testId: string; href: string; tone?: string }> = ({
  label,
  value,
  testId,
  href,
  tone,
}) => (
  <InLink href={href} testId={testId} style={{ textDecoration: 'none', color: 'inherit' }}>
    <Box variant="card" flex flexDirection="column" mr="lg" mb="lg" p="lg" style={{ minWidth: 150 }}>
      <Text fontSize="sm" color="grey60">
        {label}
      </Text>
      <Text fontSize="xl" fontWeight="bold" mt="sm" style={{ color: tone }} data-testid={`${testId}-value`}>
        {value.toLocaleString()}
      </Text>
    </Box>
  </InLink>
);

const Card: React.FC<{ title: string; children: React.ReactNode; testId?: string; width?: number; id?: string }> = ({
  title,
  children,
  testId,
  width = 380,
  id,
}) => (
  <Box variant="card" p="lg" mr="lg" mb="lg" style={{ minWidth: width, flex: 1 }} data-testid={testId} id={id}>
    <H5>{title}</H5>
    {children}
  </Box>
);

/** Submissions per day as bars, drawn in SVG (no chart library in the bundle). */
const PerDayChart: React.FC<{ data: { day: string; count: number }[] }> = ({ data }) => {
  const max = Math.max(1, ...data.map((d) => d.count));
  const width = 600;
  const height = 140;
  const bar = width / Math.max(1, data.length);
  return (
    <svg
      viewBox={`0 0 ${width} ${height + 20}`}
      width="100%"
      role="img"
      aria-label="Submissions per day, last 30 days"
      data-testid="per-day-chart"
    >
      {data.map((d, i) => {
        const h = Math.round((d.count / max) * height);
        return (
          <g key={d.day}>
            <title>{`${d.day}: ${d.count}`}</title>
            <rect
              x={i * bar + 2}
              y={height - h}
              width={bar - 4}
              height={h}
              rx={2}
              fill="#4268F6"
              opacity={d.count ? 0.85 : 0.15}
            />
          </g>
        );
      })}
      <text x={0} y={height + 16} fontSize={11} fill="#898A9A">
        {data[0]?.day}
      </text>
      <text x={width} y={height + 16} fontSize={11} fill="#898A9A" textAnchor="end">
        {data[data.length - 1]?.day} · max {max}/day
      </text>
    </svg>
  );
};

const submissionsList = (filters: Record<string, string>) =>
  `/admin/resources/submissions?${new URLSearchParams(Object.entries(filters).map(([k, v]) => [`filters.${k}`, v])).toString()}`;

const SubmitterHome: React.FC<{ mine: NonNullable<DashboardData['mine']>; me: string }> = ({ mine, me }) => (
  <Box data-testid="home-submitter">
    <H5>My work</H5>
    <Box flex flexWrap="wrap">
      <Stat
        label="My drafts"
        value={mine.drafts}
        testId="stat-my-drafts"
        href={submissionsList({ review_status: 'draft', submitted_by: me })}
      />
      <Stat
        label="Rejected, to edit and resend"
        value={mine.rejected}
        testId="stat-my-rejected"
        href={submissionsList({ review_status: 'rejected', submitted_by: me })}
        tone={mine.rejected ? '#C20012' : undefined}
      />
      <Stat
        label="Follow-ups assigned to me"
        value={mine.followUps.count}
        testId="stat-my-follow-ups"
        href="#my-follow-ups"
        tone={mine.followUps.overdue ? '#C20012' : undefined}
      />
    </Box>
    <Box flex flexWrap="wrap">
      <Card title="New submission" testId="card-new-submission">
        {mine.forms.length === 0 ? <Text>No form is open to you yet.</Text> : null}
        {mine.forms.map((f) => (
          <Box key={f.id} flex alignItems="center" mb="sm" style={{ gap: 12 }}>
            <InLink
              href={`/admin/resources/templates/records/${encodeURIComponent(f.id)}/fill`}
              testId={`new-submission-${f.id}`}
              className="gbd-btn"
            >
              + New submission
            </InLink>
            <Text>
              {f.title} <span style={{ color: '#898A9A' }}>· {f.gridTitle}</span>
            </Text>
          </Box>
        ))}
      </Card>
      <Card
        title={`Follow-ups assigned to me (${mine.followUps.count})`}
        testId="card-my-follow-ups"
        id="my-follow-ups"
      >
        {mine.followUps.items.length === 0 ? <Text>Nothing is assigned to you.</Text> : null}
        {mine.followUps.items.map((f) => (
          <Text key={f.id} mb="sm">
            <InLink href={reviewUrl(f.submissionId)}>#{f.submissionId}</InLink> {f.title}
            {f.dueOn ? (
              <span style={{ color: f.overdue ? '#C20012' : '#898A9A' }}>
                {' '}
                · due {f.dueOn}
                {f.overdue ? ' (overdue)' : ''}
              </span>
            ) : null}
          </Text>
        ))}
      </Card>
    </Box>
  </Box>
);

const ReviewerHome: React.FC<{ review: NonNullable<DashboardData['review']> }> = ({ review }) => (
  <Box data-testid="home-reviewer">
    <H5>My review queue</H5>
    <Box flex flexWrap="wrap">
      <Stat
        label="Waiting for review"
        value={review.waiting.count}
        testId="stat-queue-waiting"
        href={REVIEW_QUEUE_URL}
      />
      <Stat label="Claimed by me" value={review.claimed.count} testId="stat-queue-claimed" href={REVIEW_QUEUE_URL} />
      <Stat
        label="Overdue"
        value={review.waiting.overdue + review.claimed.overdue}
        testId="stat-queue-overdue"
        href={REVIEW_QUEUE_URL}
        tone={review.waiting.overdue + review.claimed.overdue ? '#C20012' : undefined}
      />
    </Box>
    <Card title={`Waiting for review (${review.waiting.count})`} testId="card-waiting">
      {review.waiting.items.length === 0 ? <Text>Nothing waits for your review.</Text> : null}
      {review.waiting.items.map((s) => (
        <Text key={s.id} mb="sm">
          <InLink href={reviewUrl(s.id)}>#{s.id}</InLink> {s.templateTitle} · {new Date(s.submittedAt).toLocaleString()}
          {s.overdue ? <span style={{ color: '#C20012' }}> · overdue</span> : null}
        </Text>
      ))}
      <InLink href={REVIEW_QUEUE_URL} testId="open-review-queue">
        Open the review queue →
      </InLink>
    </Card>
  </Box>
);

const BuilderHome: React.FC<{ building: NonNullable<DashboardData['building']> }> = ({ building }) => (
  <Box data-testid="home-builder">
    <H5>My templates</H5>
    <Box flex flexWrap="wrap">
      <Stat
        label="Draft templates"
        value={building.draftTemplates}
        testId="stat-draft-templates"
        href="/admin/resources/templates?filters.status=draft"
      />
      <Stat
        label="Failed submissions"
        value={building.failed}
        testId="stat-failed-submissions"
        href={submissionsList({ processing_status: '2' })}
        tone={building.failed ? '#C20012' : undefined}
      />
    </Box>
    {building.items.length ? (
      <Card title="Draft templates">
        {building.items.map((t) => (
          <Text key={t.id} mb="sm">
            <InLink href={`/admin/resources/templates/records/${encodeURIComponent(t.id)}/builder`}>{t.title}</InLink>{' '}
            <span style={{ color: '#898A9A' }}>· {t.gridTitle}</span>
          </Text>
        ))}
      </Card>
    ) : null}
  </Box>
);

const AdminHome: React.FC<{ overview: NonNullable<DashboardData['overview']> }> = ({ overview }) => {
  const { byProcessing, byReview, perDay } = overview.submissions;
  return (
    <Box data-testid="home-admin">
      <H5>Everything</H5>
      <Box flex flexWrap="wrap">
        <Stat
          label="Pending processing"
          value={byProcessing.pending}
          testId="stat-pending"
          href={submissionsList({ processing_status: '0' })}
        />
        <Stat
          label="Processed"
          value={byProcessing.processed}
          testId="stat-processed"
          tone="#0A7C4A"
          href={submissionsList({ processing_status: '1' })}
        />
        <Stat
          label="Failed"
          value={byProcessing.failed}
          testId="stat-failed"
          tone={byProcessing.failed ? '#C20012' : undefined}
          href={submissionsList({ processing_status: '2' })}
        />
        {['draft', 'submitted', 'in_review', 'approved', 'rejected'].map((s) => (
          <Stat
            key={s}
            label={REVIEW_LABELS[s]!}
            value={byReview[s] ?? 0}
            testId={`stat-review-${s}`}
            href={submissionsList({ review_status: s })}
          />
        ))}
      </Box>
      <Box flex flexWrap="wrap">
        <Card title="Submissions per day (last 30 days)" testId="card-per-day" width={520}>
          <PerDayChart data={perDay} />
        </Card>
        <Card title="Processing queue" testId="card-queue" width={240}>
          {overview.queue ? (
            <Table>
              <TableBody>
                {(['waiting', 'active', 'delayed', 'failed'] as const).map((k) => (
                  <TableRow key={k}>
                    <TableCell>{k}</TableCell>
                    <TableCell data-testid={`queue-${k}`}>{overview.queue![k].toLocaleString()}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : (
            <Text>The queue cannot be reached right now (Redis down?). Submissions wait safely in PostgreSQL.</Text>
          )}
        </Card>
      </Box>
      <Box flex flexWrap="wrap">
        <Stat label="Users" value={overview.counts.users} testId="stat-users" href="/admin/resources/users" />
        <Stat label="Grids" value={overview.counts.grids} testId="stat-grids" href="/admin/resources/grids" />
        <Stat
          label="Deleted grids"
          value={overview.counts.deletedGrids}
          testId="stat-deleted-grids"
          href="/admin/resources/grids?filters.is_deleted=true"
        />
        <Stat
          label="Audit entries"
          value={overview.counts.auditEntries}
          testId="stat-audit"
          href="/admin/resources/audit_log"
        />
        <Stat
          label="Awaiting seal"
          value={overview.counts.auditPending}
          testId="stat-audit-pending"
          href="/admin/resources/audit_log"
        />
      </Box>
    </Box>
  );
};

const STYLES = `
.gbd-btn { display: inline-flex; align-items: center; height: 30px; padding: 0 12px; border-radius: 4px; background: #3040D6; color: #fff;
  font-size: 13px; text-decoration: none; white-space: nowrap; }
.gbd-btn:hover { background: #2533B5; }
`;

/**
 * The dashboard: a home for each role (admin/pages/dashboard.ts decides which parts a user gets),
 * each stat card a link to the list it counts.
 */
const Dashboard: React.FC = () => {
  const [data, setData] = useState<DashboardData | null>(null);
  const [admin] = useCurrentAdmin();
  useEffect(() => {
    void api.getDashboard().then((r) => setData(r.data as DashboardData));
  }, []);
  if (!data) return <Loader />;
  return (
    <Box p="xl" data-testid="dashboard" data-homes={data.homes.join(' ')}>
      <style>{STYLES}</style>
      <H2>Welcome{admin?.title ? `, ${admin.title}` : ''}</H2>
      {data.mine && data.me ? <SubmitterHome mine={data.mine} me={data.me} /> : null}
      {data.review ? <ReviewerHome review={data.review} /> : null}
      {data.building ? <BuilderHome building={data.building} /> : null}
      {data.overview ? <AdminHome overview={data.overview} /> : null}
      <Box flex flexWrap="wrap" mt="lg">
        <Card title="My grids">
          {data.myGrids.length === 0 ? <Text>You are not a member of any grid yet.</Text> : null}
          {data.myGrids.map((g) => (
            <Text key={g.id}>
              <InLink href={`/admin/resources/grids/records/${encodeURIComponent(g.id)}/show`}>{g.title}</InLink> (
              {g.role})
            </Text>
          ))}
        </Card>
        <Card title="My recent actions" width={460}>
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Action</TableCell>
                <TableCell>Record</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.recentActions.map((a) => (
                <TableRow key={a.id}>
                  <TableCell>{new Date(a.createdAt).toLocaleString()}</TableCell>
                  <TableCell>{a.action}</TableCell>
                  <TableCell>
                    {a.entityType} {a.entityId ?? ''}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      </Box>
    </Box>
  );
};

export default Dashboard;

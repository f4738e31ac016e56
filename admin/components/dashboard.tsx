import React, { useEffect, useState } from 'react';
import { ApiClient, useCurrentAdmin } from 'adminjs';
import { Box, H2, H5, Link, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';

const api = new ApiClient();

interface DashboardData {
  counts: { users: number; grids: number; deletedGrids: number; auditEntries: number; auditPending: number } | null;
  submissions: {
    byProcessing: { pending: number; processed: number; failed: number };
    byReview: Record<string, number>;
    perDay: { day: string; count: number }[];
  };
  queue: { waiting: number; active: number; delayed: number; failed: number } | null;
  waitingForMe: { count: number; items: { id: string; template: string; submittedAt: string }[] };
  myGrids: { id: string; slug: string; title: string; role: string }[];
  recentActions: { id: string; createdAt: string; action: string; entityType: string; entityId: string | null }[];
}

const Stat: React.FC<{ label: string; value: number | string; testId: string; tone?: string }> = ({ label, value, testId, tone }) => (
  <Box variant="card" flex flexDirection="column" mr="lg" mb="lg" p="lg" style={{ minWidth: 150 }} data-testid={testId}>
    <Text fontSize="sm" color="grey60">
      {label}
    </Text>
    <Text fontSize="xl" fontWeight="bold" mt="sm" style={{ color: tone }} data-testid={`${testId}-value`}>
      {typeof value === 'number' ? value.toLocaleString() : value}
    </Text>
  </Box>
);

const Card: React.FC<{ title: string; children: React.ReactNode; testId?: string; width?: number }> = ({ title, children, testId, width = 380 }) => (
  <Box variant="card" p="lg" mr="lg" mb="lg" style={{ minWidth: width, flex: 1 }} data-testid={testId}>
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
    <svg viewBox={`0 0 ${width} ${height + 20}`} width="100%" role="img" aria-label="Submissions per day, last 30 days" data-testid="per-day-chart">
      {data.map((d, i) => {
        const h = Math.round((d.count / max) * height);
        return (
          <g key={d.day}>
            <title>{`${d.day}: ${d.count}`}</title>
            <rect x={i * bar + 2} y={height - h} width={bar - 4} height={h} rx={2} fill="#4268F6" opacity={d.count ? 0.85 : 0.15} />
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

const Dashboard: React.FC = () => {
  const [data, setData] = useState<DashboardData | null>(null);
  const [admin] = useCurrentAdmin();
  useEffect(() => {
    void api.getDashboard().then((r) => setData(r.data as DashboardData));
  }, []);
  if (!data) return <Loader />;
  const { byProcessing, byReview, perDay } = data.submissions;
  return (
    <Box p="xl" data-testid="dashboard">
      <H2>Welcome{admin?.title ? `, ${admin.title}` : ''}</H2>
      <Box flex flexWrap="wrap">
        <Stat label="Pending processing" value={byProcessing.pending} testId="stat-pending" />
        <Stat label="Processed" value={byProcessing.processed} testId="stat-processed" tone="#0A7C4A" />
        <Stat label="Failed" value={byProcessing.failed} testId="stat-failed" tone={byProcessing.failed ? '#C20012' : undefined} />
        {['draft', 'submitted', 'in_review', 'approved', 'rejected'].map((s) => (
          <Stat key={s} label={s.replace('_', ' ')} value={byReview[s] ?? 0} testId={`stat-review-${s}`} />
        ))}
      </Box>
      <Box flex flexWrap="wrap">
        <Card title="Submissions per day (last 30 days)" testId="card-per-day" width={520}>
          <PerDayChart data={perDay} />
        </Card>
        <Card title="Processing queue" testId="card-queue" width={240}>
          {data.queue ? (
            <Table>
              <TableBody>
                {(['waiting', 'active', 'delayed', 'failed'] as const).map((k) => (
                  <TableRow key={k}>
                    <TableCell>{k}</TableCell>
                    <TableCell data-testid={`queue-${k}`}>{data.queue![k].toLocaleString()}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : (
            <Text>The queue cannot be reached right now (Redis down?). Submissions wait safely in PostgreSQL.</Text>
          )}
        </Card>
      </Box>
      {data.counts ? (
        <Box flex flexWrap="wrap">
          <Stat label="Users" value={data.counts.users} testId="stat-users" />
          <Stat label="Grids" value={data.counts.grids} testId="stat-grids" />
          <Stat label="Deleted grids" value={data.counts.deletedGrids} testId="stat-deleted-grids" />
          <Stat label="Audit entries" value={data.counts.auditEntries} testId="stat-audit" />
          <Stat label="Awaiting seal" value={data.counts.auditPending} testId="stat-audit-pending" />
        </Box>
      ) : null}
      <Box flex flexWrap="wrap">
        <Card title={`Waiting for review (${data.waitingForMe.count})`} testId="card-waiting">
          {data.waitingForMe.items.length === 0 ? <Text>Nothing waits for your review.</Text> : null}
          {data.waitingForMe.items.map((s) => (
            <Text key={s.id}>
              <Link href={`/admin/resources/submissions/records/${s.id}/show`}>#{s.id}</Link> {s.template} ·{' '}
              {new Date(s.submittedAt).toLocaleString()}
            </Text>
          ))}
        </Card>
        <Card title="My grids">
          {data.myGrids.length === 0 ? <Text>You are not a member of any grid yet.</Text> : null}
          {data.myGrids.map((g) => (
            <Text key={g.id}>
              <Link href={`/admin/resources/grids/records/${g.id}/show`}>{g.title}</Link> ({g.role})
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

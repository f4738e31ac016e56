import React, { useEffect, useState } from 'react';
import { ApiClient, useCurrentAdmin } from 'adminjs';
import { Box, H2, H5, Link, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';

const api = new ApiClient();

interface DashboardData {
  counts: { users: number; grids: number; deletedGrids: number; auditEntries: number; auditPending: number } | null;
  myGrids: { id: string; slug: string; title: string; role: string }[];
  recentActions: { id: string; createdAt: string; action: string; entityType: string; entityId: string | null }[];
}

const Stat: React.FC<{ label: string; value: number; testId: string }> = ({ label, value, testId }) => (
  <Box variant="card" flex flexDirection="column" mr="lg" mb="lg" p="lg" style={{ minWidth: 160 }} data-testid={testId}>
    <Text fontSize="sm" color="grey60">{label}</Text>
    <H2 mb={0}>{value.toLocaleString()}</H2>
  </Box>
);

const Dashboard: React.FC = () => {
  const [data, setData] = useState<DashboardData | null>(null);
  const [admin] = useCurrentAdmin();
  useEffect(() => {
    api.getDashboard().then((r) => setData(r.data as DashboardData));
  }, []);
  if (!data) return <Loader />;
  return (
    <Box p="xl" data-testid="dashboard">
      <H2>Welcome{admin?.title ? `, ${admin.title}` : ''}</H2>
      {data.counts ? (
        <Box flex flexWrap="wrap" mb="xl">
          <Stat label="Users" value={data.counts.users} testId="stat-users" />
          <Stat label="Grids" value={data.counts.grids} testId="stat-grids" />
          <Stat label="Deleted grids" value={data.counts.deletedGrids} testId="stat-deleted-grids" />
          <Stat label="Audit entries" value={data.counts.auditEntries} testId="stat-audit" />
          <Stat label="Awaiting seal" value={data.counts.auditPending} testId="stat-audit-pending" />
        </Box>
      ) : null}
      <Box flex flexWrap="wrap">
        <Box variant="card" p="lg" mr="lg" mb="lg" style={{ minWidth: 320 }}>
          <H5>My grids</H5>
          {data.myGrids.length === 0 ? <Text>You are not a member of any grid yet.</Text> : null}
          {data.myGrids.map((g) => (
            <Text key={g.id}>
              <Link href={`/admin/resources/grids/records/${g.id}/show`}>{g.title}</Link> ({g.role})
            </Text>
          ))}
        </Box>
        <Box variant="card" p="lg" mb="lg" style={{ minWidth: 420 }}>
          <H5>My recent actions</H5>
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
                  <TableCell>{a.entityType} {a.entityId ?? ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      </Box>
    </Box>
  );
};

export default Dashboard;

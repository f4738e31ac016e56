import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import {
  Box,
  H3,
  Loader,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';
import { readable } from './shared/readable';

const api = new ApiClient();

interface Entry {
  id: string;
  createdAt: string;
  actorLabel: string | null;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const describe = (entry: Entry): string => {
  const keys = new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})]);
  return [...keys]
    .map((key) => {
      const before = entry.before?.[key];
      const after = entry.after?.[key];
      if (entry.before && entry.after) return `${key}: ${readable(before)} → ${readable(after)}`;
      return `${key}: ${readable(after ?? before)}`;
    })
    .join('; ');
};

/** A record's history: its audit entries, newest first (like the Django admin's history page). */
const RecordHistory: React.FC<ActionProps> = ({ record, resource }) => {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const recordId = record?.id;
  useEffect(() => {
    if (!recordId) return;
    api
      .recordAction({ resourceId: resource.id, recordId, actionName: 'history' })
      .then((response) => setEntries((response.data as unknown as { entries: Entry[] }).entries))
      .catch((e: Error) => setError(e.message));
  }, [recordId, resource.id]);

  if (error) return <MessageBox variant="danger" message={error} />;
  if (!entries) return <Loader />;
  return (
    <Box variant="container" data-testid="record-history">
      <H3>History of {record?.title}</H3>
      {entries.length === 0 ? (
        <Text>No recorded changes.</Text>
      ) : (
        <Table>
          <TableHead>
            <TableRow>
              <TableCell>When</TableCell>
              <TableCell>Who</TableCell>
              <TableCell>Action</TableCell>
              <TableCell>Change</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {entries.map((entry) => (
              <TableRow key={entry.id}>
                <TableCell>{new Date(entry.createdAt).toLocaleString()}</TableCell>
                <TableCell>{entry.actorLabel ?? 'system'}</TableCell>
                <TableCell>{entry.action}</TableCell>
                <TableCell>{describe(entry)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
};

export default RecordHistory;

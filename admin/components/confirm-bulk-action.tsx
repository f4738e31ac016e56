import React, { useState } from 'react';
import { ApiClient, useNotice, useTranslation, type ActionProps } from 'adminjs';
import {
  Badge,
  Box,
  Button,
  H3,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';
import { ConfirmInput, type ConfirmCustom } from './shared/confirm-input';

const api = new ApiClient();

interface BulkResult {
  id: string;
  title: string;
  ok: boolean;
  message: string;
}
/** Confirmation of a bulk action (POST), then what happened to each record: done or refused, and why. */
const ConfirmBulkAction: React.FC<ActionProps> = ({ action, records, resource }) => {
  const custom = (action.custom ?? {}) as ConfirmCustom;
  const { translateAction } = useTranslation();
  const label = translateAction(action.name, resource.id);
  const addNotice = useNotice();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const selected = records ?? [];

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = new FormData();
      if (custom.input) data.append(custom.input.name, text);
      const response = await api.bulkAction({
        resourceId: resource.id,
        recordIds: selected.map((r) => r.id),
        actionName: action.name,
        method: 'post',
        data,
      });
      const body = response.data as unknown as {
        results?: BulkResult[];
        notice?: { message: string; type: 'success' | 'error' };
      };
      if (body.notice) addNotice(body.notice);
      setResults(body.results ?? []);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="container" data-testid={`bulk-${action.name}`}>
      <H3>
        {label}: {selected.length} record{selected.length === 1 ? '' : 's'}
      </H3>
      <Text mb="lg">{custom.confirm ?? 'Are you sure?'}</Text>
      {custom.input && !results ? <ConfirmInput input={custom.input} rows={3} value={text} onChange={setText} /> : null}
      {error ? <MessageBox mb="lg" variant="danger" message={error} /> : null}
      <Table mb="xl">
        <TableHead>
          <TableRow>
            <TableCell>Record</TableCell>
            <TableCell>Result</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {selected.map((record) => {
            const result = results?.find((r) => r.id === String(record.id));
            return (
              <TableRow key={record.id} data-testid={`bulk-row-${record.id}`}>
                <TableCell>{record.title}</TableCell>
                <TableCell>
                  {result ? (
                    <>
                      <Badge variant={result.ok ? 'success' : 'danger'} mr="default">
                        {result.ok ? 'done' : 'refused'}
                      </Badge>
                      {result.message}
                    </>
                  ) : (
                    '—'
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {!results ? (
        <Button
          variant={action.variant === 'danger' ? 'danger' : 'contained'}
          disabled={busy || selected.length === 0 || (Boolean(custom.input?.required) && text.trim() === '')}
          onClick={submit}
          data-testid="bulk-submit"
        >
          {busy ? 'Working…' : `Confirm: ${label}`}
        </Button>
      ) : null}
    </Box>
  );
};

export default ConfirmBulkAction;

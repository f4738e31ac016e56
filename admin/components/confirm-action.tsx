import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiClient, useNotice, useTranslation, type ActionProps } from 'adminjs';
import { Box, Button, H3, MessageBox, Text } from '@adminjs/design-system';
import { ConfirmInput, type ConfirmCustom } from './shared/confirm-input';

const api = new ApiClient();

/**
 * The confirmation page of a state-changing record action: the change happens only when the user
 * confirms, with a POST (see admin/features/confirm-action.ts).
 */
const ConfirmAction: React.FC<ActionProps> = ({ action, record, resource }) => {
  const custom = (action.custom ?? {}) as ConfirmCustom;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const { translateAction } = useTranslation();
  const label = translateAction(action.name, resource.id);
  if (!record) return <MessageBox variant="danger" message="No record" />;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = new FormData();
      if (custom.input) data.append(custom.input.name, text);
      const response = await api.recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: action.name,
        method: 'post',
        data,
      });
      const { notice, redirectUrl } = response.data as {
        notice?: { message: string; type: 'success' | 'error' };
        redirectUrl?: string;
      };
      if (notice) addNotice(notice);
      if (notice?.type === 'error') setError(notice.message);
      else if (redirectUrl) navigate(redirectUrl.replace(/^https?:\/\/[^/]+/, ''));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const missingInput = Boolean(custom.input?.required) && text.trim() === '';
  return (
    <Box variant="container" data-testid={`confirm-${action.name}`}>
      <H3>
        {label}: {record.title}
      </H3>
      <Text mb="xl">{custom.confirm ?? 'Are you sure?'}</Text>
      {custom.input ? <ConfirmInput input={custom.input} rows={4} value={text} onChange={setText} /> : null}
      {error ? <MessageBox mb="xl" variant="danger" message={error} /> : null}
      <Button
        variant={action.variant === 'danger' ? 'danger' : 'contained'}
        disabled={busy || missingInput}
        onClick={submit}
        data-testid="confirm-submit"
      >
        {busy ? 'Working…' : `Confirm: ${label}`}
      </Button>
    </Box>
  );
};

export default ConfirmAction;

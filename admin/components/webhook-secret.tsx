import React, { useEffect, useState } from 'react';
import { type ActionProps } from 'adminjs';
import { Box, Button, H3, Loader, MessageBox, Text } from '@adminjs/design-system';

/**
 * A webhook's signing secret, for its grid's managers: fetched when this page opens (never part of
 * lists or record views), with how a receiver checks a delivery.
 */
const WebhookSecret: React.FC<ActionProps> = ({ record, resource }) => {
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    fetch(`/admin/api/resources/${resource.id}/records/${record?.id}/secret`, { credentials: 'same-origin' })
      .then((r) => r.json())
      .then((body: { secret?: string; notice?: { message: string } }) => {
        if (body.secret) setSecret(body.secret);
        else setError(body.notice?.message ?? 'The secret is not available to you');
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [record?.id, resource.id]);

  if (error) return <MessageBox m="xl" variant="danger" message={error} />;
  if (!secret) return <Loader />;
  const copy = async () => {
    await navigator.clipboard?.writeText(secret);
    setCopied(true);
  };
  return (
    <Box variant="container" data-testid="webhook-secret">
      <H3>Signing secret</H3>
      <Text mb="lg">Every delivery to {record?.params.url} carries a header</Text>
      <pre style={{ background: '#f6f6fb', padding: 12, borderRadius: 4, fontSize: 12 }}>
        Gridbook-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;
      </pre>
      <Text mb="lg">
        The receiver recomputes the HMAC with this secret over the timestamp and the raw body, compares in constant
        time, and refuses timestamps older than five minutes (replays).
      </Text>
      <Box flex alignItems="center" style={{ gap: 12 }}>
        <code
          data-testid="webhook-secret-value"
          style={{ background: '#f6f6fb', padding: '8px 12px', borderRadius: 4, fontSize: 14 }}
        >
          {secret}
        </code>
        <Button variant="outlined" size="sm" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </Box>
    </Box>
  );
};

export default WebhookSecret;

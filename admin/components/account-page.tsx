import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H2, Input, Label, Text } from '@adminjs/design-system';

const api = new ApiClient();

interface Me {
  email: string;
  name: string;
  role: string;
}
interface PageResponse {
  me?: Me;
  notice?: { message: string; type: 'success' | 'error' };
  errors?: { path: string; message: string }[];
}

/** "My account": who I am, and a form to change my own password. */
const AccountPage: React.FC = () => {
  const [me, setMe] = useState<Me | null>(null);
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();

  useEffect(() => {
    void api.getPage({ pageName: 'account' }).then((r) => setMe((r.data as PageResponse).me ?? null));
  }, []);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const r = await api.getPage({ pageName: 'account', method: 'post', data: { currentPassword, newPassword } });
      const data = r.data as PageResponse;
      if (data.notice) addNotice(data.notice);
      setErrors(Object.fromEntries((data.errors ?? []).map((e) => [e.path, e.message])));
      if (data.notice?.type === 'success') {
        setCurrent('');
        setNew('');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="container" m="xl" data-testid="account-page">
      <H2>My account</H2>
      {me ? (
        <Text mb="xl">
          {me.name || me.email} · {me.email} · role: {me.role}
        </Text>
      ) : null}
      <form onSubmit={submit}>
        <FormGroup error={Boolean(errors.currentPassword)}>
          <Label htmlFor="currentPassword" required>
            Current password
          </Label>
          <Input
            id="currentPassword"
            type="password"
            autoComplete="current-password"
            width={1 / 2}
            value={currentPassword}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setCurrent(e.target.value)}
          />
          <FormMessage>{errors.currentPassword}</FormMessage>
        </FormGroup>
        <FormGroup error={Boolean(errors.newPassword)}>
          <Label htmlFor="newPassword" required>
            New password (at least 10 characters)
          </Label>
          <Input
            id="newPassword"
            type="password"
            autoComplete="new-password"
            width={1 / 2}
            value={newPassword}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setNew(e.target.value)}
          />
          <FormMessage>{errors.newPassword}</FormMessage>
        </FormGroup>
        <Button type="submit" variant="contained" disabled={busy || !currentPassword || !newPassword}>
          Change password
        </Button>
      </form>
    </Box>
  );
};

export default AccountPage;

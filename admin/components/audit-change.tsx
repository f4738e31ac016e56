import React from 'react';
import { flat, type BasePropertyProps } from 'adminjs';
import { Box, Label, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { readable } from './shared/readable';

/** An audit entry's before and after, side by side, field by field. */
const AuditChange: React.FC<BasePropertyProps> = ({ record }) => {
  // adminjs types `flat` from the `flat` package, which the components' tsconfig does not resolve.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-call
  const params = flat.unflatten(record?.params ?? {}) as {
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
  };
  const before = params.before ?? {};
  const after = params.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return (
    <Box mb="xl">
      <Label>Change</Label>
      {keys.length === 0 ? (
        <Text>—</Text>
      ) : (
        <Table>
          <TableHead>
            <TableRow>
              <TableCell>Field</TableCell>
              <TableCell>Before</TableCell>
              <TableCell>After</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {keys.map((key) => (
              <TableRow key={key}>
                <TableCell>{key}</TableCell>
                <TableCell>{readable(before[key])}</TableCell>
                <TableCell>{readable(after[key])}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
};

export default AuditChange;

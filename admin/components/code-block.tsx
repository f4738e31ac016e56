import React from 'react';
import { flat, type BasePropertyProps } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';

/** Shows a JSON or SQL value (a version's DDL, checks, definition) as readable, preformatted text. */
const CodeBlock: React.FC<BasePropertyProps> = ({ property, record }) => {
  // adminjs types `flat` from the `flat` package, which the components' tsconfig does not resolve.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-call
  const params = flat.unflatten(record?.params ?? {}) as Record<string, unknown>;
  const value = params[property.path];
  const text =
    Array.isArray(value) && value.every((v) => typeof v === 'string')
      ? (value as string[]).join(';\n\n')
      : JSON.stringify(value, null, 2);
  return (
    <Box mb="xl">
      <Label>{property.label}</Label>
      <pre
        style={{ background: '#f6f6fb', padding: 12, borderRadius: 4, overflow: 'auto', maxHeight: 480, fontSize: 12 }}
      >
        {text}
      </pre>
    </Box>
  );
};

export default CodeBlock;

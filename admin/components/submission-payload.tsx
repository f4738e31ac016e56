import React, { useEffect, useState } from 'react';
import { ApiClient, type BasePropertyProps } from 'adminjs';
import {
  Box,
  H4,
  Label,
  Loader,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';

const api = new ApiClient();

interface PayloadView {
  templateTitle: string;
  version: number;
  sections: {
    key: string;
    label: string;
    fields: { key: string; label: string; display: string }[];
    tables: { key: string; label: string; columns: string[]; rows: string[][] }[];
  }[];
}

/** A submission's answer by section, with the fields' labels, instead of raw JSON. */
const SubmissionPayload: React.FC<BasePropertyProps> = ({ record, resource }) => {
  const [view, setView] = useState<PayloadView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!record?.id) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'payload' })
      .then((r) => setView((r.data as unknown as { view: PayloadView }).view))
      .catch((e: Error) => setError(e.message));
  }, [record?.id, resource.id]);
  if (error) return <MessageBox variant="danger" message={error} />;
  if (!view) return <Loader />;
  return (
    <Box mb="xl" data-testid="submission-payload">
      <Label>
        Answer ({view.templateTitle}, version {view.version})
      </Label>
      {view.sections.map((section) => (
        <Box key={section.key} mb="lg" p="lg" style={{ border: '1px solid #e3e3ef', borderRadius: 4 }}>
          <H4>{section.label}</H4>
          <Table>
            <TableBody>
              {section.fields.map((f) => (
                <TableRow key={f.key}>
                  <TableCell style={{ width: '40%' }}>
                    <Text fontWeight="bold">{f.label}</Text>
                  </TableCell>
                  <TableCell>{f.display}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {section.tables.map((t) => (
            <Box key={t.key} mt="lg">
              <Text fontWeight="bold" mb="sm">
                {t.label} ({t.rows.length} row{t.rows.length === 1 ? '' : 's'})
              </Text>
              <Table>
                <TableHead>
                  <TableRow>
                    {t.columns.map((c) => (
                      <TableCell key={c}>{c}</TableCell>
                    ))}
                  </TableRow>
                </TableHead>
                <TableBody>
                  {t.rows.map((row, i) => (
                    <TableRow key={i}>
                      {row.map((cell, j) => (
                        <TableCell key={j}>{cell}</TableCell>
                      ))}
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
};

export default SubmissionPayload;

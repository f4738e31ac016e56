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

import { FileList, FilesContext, fileIds } from './review-page/file-list';
import type { FileInfo } from './review-page/types';

const api = new ApiClient();

/** The file list's look outside the review page (its own styles live there). */
const FILE_STYLES = `
.gbr-files { list-style: none; margin: 0; padding: 0; }
.gbr-files li { display: flex; align-items: center; margin: 4px 0; }
.gbr-muted, .gbr-empty { color: #898A9A; }
`;

interface PayloadView {
  templateTitle: string;
  version: number;
  sections: {
    key: string;
    label: string;
    fields: { key: string; label: string; type: string; value: unknown; display: string }[];
    tables: {
      key: string;
      label: string;
      columns: string[];
      types?: string[];
      rows: string[][];
      values?: unknown[][];
    }[];
  }[];
}

/** A submission's answer by section, with the fields' labels, instead of raw JSON. */
const SubmissionPayload: React.FC<BasePropertyProps> = ({ record, resource }) => {
  const [view, setView] = useState<PayloadView | null>(null);
  const [files, setFiles] = useState<Map<string, FileInfo>>(new Map());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!record?.id) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'payload' })
      .then((r) => {
        const data = r.data as unknown as { view: PayloadView; files?: FileInfo[] };
        setFiles(new Map((data.files ?? []).map((f) => [f.id, f])));
        setView(data.view);
      })
      .catch((e: Error) => setError(e.message));
  }, [record?.id, resource.id]);
  if (error) return <MessageBox variant="danger" message={error} />;
  if (!view) return <Loader />;
  return (
    <FilesContext.Provider value={files}>
      <Box mb="xl" data-testid="submission-payload">
        <style>{FILE_STYLES}</style>
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
                    <TableCell>
                      {f.type === 'file' && fileIds(f.value).length ? (
                        <FileList ids={fileIds(f.value)} testId={`payload-files-${section.key}-${f.key}`} />
                      ) : (
                        f.display
                      )}
                    </TableCell>
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
                        {row.map((cell, j) => {
                          const ids = t.types?.[j] === 'file' ? fileIds(t.values?.[i]?.[j]) : [];
                          return (
                            <TableCell key={j}>
                              {ids.length ? (
                                <FileList
                                  ids={ids}
                                  testId={`payload-files-${section.key}-${t.key}-${i + 1}-${j + 1}`}
                                />
                              ) : (
                                cell
                              )}
                            </TableCell>
                          );
                        })}
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </Box>
            ))}
          </Box>
        ))}
      </Box>
    </FilesContext.Provider>
  );
};

export default SubmissionPayload;

import React, { useCallback, useEffect, useState } from 'react';
import { type ActionProps } from 'adminjs';
import {
  Box,
  Button,
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

interface ExportView {
  id: string;
  format: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  rowsDone: number;
  rowsTotal: number | null;
  progress: number | null;
  fileName: string | null;
  error: string | null;
  createdAt: string;
}

interface Languages {
  declared: string[];
  default: string | null;
}

interface PanelData {
  rows: number;
  threshold: number;
  tables: string[];
  languages: Languages;
  exports: ExportView[];
}

/** A language's own name for itself (`Kiswahili`, `français`), with its code; the code alone where the browser knows no name. */
function languageName(code: string): string {
  try {
    const own = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    return own && own !== code ? `${own} (${code})` : code;
  } catch {
    return code;
  }
}

/** Calls our JSON API with the admin session (same origin). */
async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    credentials: 'same-origin',
    ...init,
    headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) },
  });
  const body = (await res.json()) as { success: boolean; data?: T; error?: { message: string } };
  if (!body.success) throw new Error(body.error?.message ?? `request failed (${res.status})`);
  return body.data as T;
}

const Progress: React.FC<{ e: ExportView }> = ({ e }) => (
  <div style={{ width: 180, height: 8, background: '#eef', borderRadius: 4 }} data-testid={`export-progress-${e.id}`}>
    <div
      style={{
        width: `${Math.round((e.progress ?? 0) * 100)}%`,
        height: 8,
        background: e.status === 'failed' ? '#c20012' : '#4268F6',
        borderRadius: 4,
      }}
    />
  </div>
);

/**
 * The export page of a template: small exports download at once; larger ones run in the
 * background, with their progress here and a download link when done.
 */
const ExportPanel: React.FC<ActionProps> = ({ record }) => {
  const templateId = String(record?.id ?? '');
  const [data, setData] = useState<PanelData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [codes, setCodes] = useState(false);
  // The language of headers and option labels: the form's default until another is picked.
  const [language, setLanguage] = useState<string>('');
  const load = useCallback(async () => {
    try {
      const [rows, exports] = await Promise.all([
        fetch(`/admin/api/resources/templates/records/${templateId}/export`, { credentials: 'same-origin' }).then(
          (r) => r.json() as Promise<{ rows: number; threshold: number; tables: string[]; languages?: Languages }>,
        ),
        api<ExportView[]>(`/templates/${templateId}/exports`),
      ]);
      setData({
        rows: rows.rows,
        threshold: rows.threshold,
        tables: rows.tables,
        languages: rows.languages ?? { declared: [], default: null },
        exports,
      });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [templateId]);
  useEffect(() => {
    void load();
  }, [load]);
  // While something runs, refresh its progress.
  useEffect(() => {
    if (!data?.exports.some((e) => e.status === 'queued' || e.status === 'running')) return;
    const timer = setTimeout(() => void load(), 1000);
    return () => clearTimeout(timer);
  }, [data, load]);

  const background = async (format: string) => {
    try {
      await api(`/templates/${templateId}/exports`, {
        method: 'POST',
        body: JSON.stringify({ format, values: codes ? 'codes' : 'labels', ...(language ? { lang: language } : {}) }),
      });
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  if (error) return <MessageBox m="xl" variant="danger" message={error} />;
  if (!data) return <Loader />;
  const big = data.rows > data.threshold;
  const direct = (format: string, table?: string) =>
    `/api/v1/templates/${templateId}/export?format=${format}` +
    `${table ? `&table=${encodeURIComponent(table)}` : ''}` +
    `${codes ? '&values=codes' : ''}` +
    `${language ? `&lang=${encodeURIComponent(language)}` : ''}`;
  const declared = data.languages.declared;
  return (
    <Box variant="container" data-testid="export-panel">
      <H3>Export {record?.title}</H3>
      <Text mb="lg">
        {data.rows.toLocaleString()} processed submission{data.rows === 1 ? '' : 's'}.{' '}
        {big
          ? `More than ${data.threshold.toLocaleString()}: exports run in the background.`
          : 'Downloads start at once.'}{' '}
        Choices read as their labels and files by their names; in CSV, text that a spreadsheet would read as a formula
        is prefixed with a quote.
      </Text>
      {declared.length > 1 ? (
        <Box mb="lg">
          <label>
            Headers and option labels in{' '}
            <select
              value={language || (data.languages.default ?? '')}
              onChange={(e) => setLanguage(e.target.value === data.languages.default ? '' : e.target.value)}
              data-testid="export-language"
            >
              {declared.map((code) => (
                <option key={code} value={code}>
                  {languageName(code)}
                  {code === data.languages.default ? " — the form's default" : ''}
                </option>
              ))}
            </select>
          </label>
        </Box>
      ) : null}
      <Box mb="lg">
        <label>
          <input
            type="checkbox"
            checked={codes}
            onChange={(e) => setCodes(e.target.checked)}
            data-testid="export-codes"
          />{' '}
          Stored codes instead of labels (option values, file ids: for scripts and machines)
        </label>
      </Box>
      <Box flex flexWrap="wrap" mb="xl" style={{ gap: 8 }}>
        {(['csv', 'xlsx', 'zip'] as const).map((format) =>
          big ? (
            <Button key={format} onClick={() => void background(format)} data-testid={`export-start-${format}`}>
              Start {format.toUpperCase()} export
            </Button>
          ) : (
            <Button key={format} as="a" href={direct(format)} data-testid={`export-download-${format}`}>
              Download {format.toUpperCase()}
            </Button>
          ),
        )}
        {!big
          ? data.tables.map((table) => (
              <Button key={table} variant="outlined" as="a" href={direct('csv', table)}>
                {table} (CSV)
              </Button>
            ))
          : null}
      </Box>
      {data.exports.length ? (
        <Table>
          <TableHead>
            <TableRow>
              <TableCell>Started</TableCell>
              <TableCell>Format</TableCell>
              <TableCell>Progress</TableCell>
              <TableCell>File</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.exports.map((e) => (
              <TableRow key={e.id} data-testid={`export-${e.id}`} data-status={e.status}>
                <TableCell>{new Date(e.createdAt).toLocaleString()}</TableCell>
                <TableCell>{e.format.toUpperCase()}</TableCell>
                <TableCell>
                  <Progress e={e} /> {e.status}{' '}
                  {e.rowsTotal !== null
                    ? `(${e.rowsDone.toLocaleString()} / ${e.rowsTotal.toLocaleString()} rows)`
                    : ''}
                  {e.error ? <Text color="error">{e.error}</Text> : null}
                </TableCell>
                <TableCell>
                  {e.status === 'done' ? (
                    <a href={`/api/v1/exports/${e.id}/download`} data-testid={`export-file-${e.id}`}>
                      {e.fileName}
                    </a>
                  ) : (
                    '—'
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Box>
  );
};

export default ExportPanel;

import { ApiClient } from './api-client.js';
import type { TestApp } from './app.js';
import { createGrid, createUser, type TestUser } from './factories.js';

/**
 * Builders' words that would run as code if any page put them in as markup or script: a script
 * element closed and reopened (which also calls the API as the viewer), an image whose error
 * handler runs, and the line separators that end a line inside older JavaScript strings. Each
 * marks `window.__pwned` when it runs, so a test can see it did not.
 */
export const HOSTILE = {
  script: `<5 kg & fasting</script><script>window.__pwned=1;fetch('/api/v1/users',{method:'POST',body:'{}'})</script>`,
  image: `Photo <img src=x onerror="window.__pwned=(window.__pwned||0)+1">`,
  separators: 'Line\u2028separated\u2029paragraph',
  comment: 'Note <!-- <script>window.__pwned=1</script>',
} as const;

/** A slug that is plain, so the grid can be found; its title is not. */
export interface HostileGrid {
  gridId: string;
  gridTitle: string;
  templateId: string;
  templateTitle: string;
  builder: TestUser;
  submitter: TestUser;
  builderApi: ApiClient;
  /** Every builder word of this grid: titles, section, table, field and option labels. */
  words: string[];
  /** Marker texts unique to this grid, to look for where they must not be. */
  markers: string[];
}

export function hostileDefinition(marker: string) {
  return {
    sections: [
      {
        id: 's_main',
        key: 'main',
        label: `Section ${marker} ${HOSTILE.script}`,
        fields: [
          { id: 'f_weight', key: 'weight', label: `${HOSTILE.script} ${marker}-field`, type: 'decimal' },
          { id: 'f_photo', key: 'photo_note', label: HOSTILE.image, help: HOSTILE.comment, type: 'text' },
          { id: 'f_lines', key: 'lines', label: HOSTILE.separators, type: 'text' },
          {
            id: 'f_source',
            key: 'source',
            label: `Source ${marker}`,
            type: 'single_choice',
            options: [
              { value: 'well', label: HOSTILE.image },
              { value: 'tap', label: HOSTILE.script },
            ],
          },
        ],
        tables: [
          {
            id: 't_rows',
            key: 'rows',
            label: `Rows ${HOSTILE.image}`,
            columns: [{ id: 'f_item', key: 'item', label: HOSTILE.script, type: 'text' }],
          },
        ],
      },
    ],
  };
}

/** A grid whose titles and labels are all hostile, with a published template, through the API. */
export async function hostileGrid(t: TestApp, marker: string): Promise<HostileGrid> {
  const builder = await createUser(t.rt.pool, { role: 'builder' });
  const submitter = await createUser(t.rt.pool, { role: 'submitter' });
  const gridTitle = `Grid ${marker} ${HOSTILE.script}`;
  const templateTitle = `Form ${marker} ${HOSTILE.image}`;
  const grid = await createGrid(t.rt, builder, [{ user: submitter, role: 'submitter' }], {
    slug: `grid-${marker}`,
    title: gridTitle,
  });
  const builderApi = await new ApiClient(t.baseUrl).login(builder.email, builder.password);
  const created = await builderApi.post(`/grids/${grid.id}/templates`, {
    slug: `form-${marker}`,
    title: templateTitle,
    definition: hostileDefinition(marker),
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const templateId = created.body.data.id as string;
  const published = await builderApi.post(`/templates/${templateId}/publish`);
  if (published.status !== 201) throw new Error(JSON.stringify(published.body));
  await t.web.adminHost.rebuild();
  return {
    gridId: grid.id,
    gridTitle,
    templateId,
    templateTitle,
    builder,
    submitter,
    builderApi,
    words: [gridTitle, templateTitle, ...Object.values(HOSTILE)],
    markers: [marker, `grid-${marker}`, `form-${marker}`, `${marker}-field`],
  };
}

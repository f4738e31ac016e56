import { ApiClient } from 'adminjs';
import type { BuilderResponse, ConversionChoices, Definition } from './types';

const client = new ApiClient();

/**
 * The builder record action (admin/resources/templates.resource.ts): GET loads the template, each
 * POST performs one operation named by `op`. Answers carry `notice` and, on failure, `errors`.
 */
export function builderApi(resourceId: string, recordId: string) {
  const call = async (fields?: Record<string, string>): Promise<BuilderResponse> => {
    let data: FormData | undefined;
    if (fields) {
      data = new FormData();
      for (const [k, v] of Object.entries(fields)) data.append(k, v);
    }
    const response = await client.recordAction({
      resourceId,
      recordId,
      actionName: 'builder',
      ...(data ? { method: 'post', data } : {}),
    });
    return response.data as BuilderResponse;
  };
  return {
    load: () => call(),
    save: (definition: Definition) => call({ op: 'save', definition: JSON.stringify(definition) }),
    plan: (conversions: ConversionChoices) => call({ op: 'plan', conversions: JSON.stringify(conversions) }),
    publish: (expectedVersion: number, conversions: ConversionChoices) =>
      call({ op: 'publish', expectedVersion: String(expectedVersion), conversions: JSON.stringify(conversions) }),
    preview: () => call({ op: 'preview' }),
    compact: (table: string) => call({ op: 'compact', table }),
    compactions: () => call({ op: 'compactions' }),
    conversions: () => call({ op: 'conversions' }),
    cancelConversion: (conversionId: string) => call({ op: 'cancelConversion', conversionId }),
  };
}

export type BuilderApi = ReturnType<typeof builderApi>;

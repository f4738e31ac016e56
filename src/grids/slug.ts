/**
 * A slug from a title, for the create forms of grids and templates ("Village survey 2024" ->
 * `village-survey-2024`): what the Slug schema accepts (lowercase ASCII letters and digits joined
 * by single hyphens, at most 63 characters). Accents are dropped; other scripts leave nothing, and
 * then the person types a slug themselves. Browser-safe: the admin components import it.
 */
export const SLUG_MAX_LENGTH = 63;

export function slugFromTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
}

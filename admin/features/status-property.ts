import {
  filterOptions,
  PROCESSING_STATUS_DISPLAY,
  REVIEW_STATUS_DISPLAY,
  TEMPLATE_STATUS_DISPLAY,
} from '../../src/review/status-display.js';
import { Components } from '../component-loader.js';

const DISPLAYS = {
  review: REVIEW_STATUS_DISPLAY,
  processing: PROCESSING_STATUS_DISPLAY,
  template: TEMPLATE_STATUS_DISPLAY,
};

/**
 * A status column's property options: a coloured badge in lists and on show pages, and a filter
 * whose options carry the badges' labels and colours, all from the one mapping.
 */
export const statusProperty = (statuses: keyof typeof DISPLAYS) => ({
  availableValues: filterOptions(DISPLAYS[statuses]),
  custom: { statuses },
  components: { list: Components.StatusBadge, show: Components.StatusBadge, filter: Components.StatusFilter },
});

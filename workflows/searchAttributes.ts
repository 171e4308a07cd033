// Search attributes operators filter on in the Web UI, e.g. SessionState="FAILED".
// The dev server registers them at start (see src/temporal/devServer.ts).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SessionStateKey = defineSearchAttributeKey('SessionState', SearchAttributeType.KEYWORD);
export const SessionProgressKey = defineSearchAttributeKey('SessionProgress', SearchAttributeType.INT);
export const DataSourceKey = defineSearchAttributeKey('DataSource', SearchAttributeType.KEYWORD);

/** name → CLI type, for `temporal server start-dev --search-attribute Name=Type`. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Int'> = {
  SessionState: 'Keyword',
  SessionProgress: 'Int',
  DataSource: 'Keyword',
};

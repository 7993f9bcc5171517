// `ecds` table, as istioctl's PrintEcdsSummary prints it (padding 5).
import { compareGoStrings } from '../../util/goString.ts';
import type { Entry, TypedExtensionConfig } from '../../envoy/model.ts';
import type { Table } from '../tabwriter.ts';

const PADDING = 5;

/** One row per extension config, by type URL then name (configs without typed_config first). */
export function ecdsTable(entries: readonly Entry<TypedExtensionConfig>[]): Table {
  const rows = entries
    .map(({ resource }) => ({ name: resource.name ?? '', typeUrl: resource.typed_config?.['@type'] ?? '' }))
    .sort((a, b) => compareGoStrings(a.typeUrl, b.typeUrl) || compareGoStrings(a.name, b.name))
    // The message name is what follows the URL's last `/` (istioctl strips `type.googleapis.com/` only).
    .map(({ name, typeUrl }) => [name, typeUrl.slice(typeUrl.lastIndexOf('/') + 1)]);
  return { rows: [['ECDS NAME', 'TYPE'], ...rows], padding: PADDING };
}

/**
 * An RFC 4180 CSV reader: fields separated by commas, quoted with `"` (a quote inside doubled), CRLF
 * or LF line ends, a quoted field may span lines. Each record keeps the line it started on, for error
 * messages. A stray quote inside an unquoted field, or an unclosed quote, is an error with its line.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark from spreadsheet exports
  let quoted = false;
  let fieldStarted = false;
  // Just after a closing quote: only a comma or a line end may follow.
  let closed = false;
  const endRecord = () => {
    fields.push(field);
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          closed = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (closed && ch !== ',' && ch !== '\n' && ch !== '\r') {
      throw new CsvError(line, 'text after a closing quote: quote the whole field');
    }
    closed = false;
    if (ch === '"') {
      if (fieldStarted) throw new CsvError(line, 'a quote inside an unquoted field: quote the whole field');
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvError(start, 'a quoted field is not closed');
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

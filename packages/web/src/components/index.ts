/** The dashboard's shared pieces, one file per concern. */
export { Filters, PageHeader, ProjectPicker, TimeRangePicker } from './page-header';
export { Failure, Loaded, Notice, Stat } from './states';
export { DataTable, SortableTable, type Column } from './sortable-table';
export { FormError, messageOf, useWrite, WriteForm } from './forms';
export { OrgPicker } from './org-picker';
export { columnsOf, listIn, Payload, RecordList } from './records';

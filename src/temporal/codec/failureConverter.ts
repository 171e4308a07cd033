// Failure messages and stack traces can carry what a viewer watched. Loaded by path
// (DataConverter.failureConverterPath) by clients, activities and the workflow sandbox alike, this
// moves them into an encoded payload, which the payload codec then encrypts like any other.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

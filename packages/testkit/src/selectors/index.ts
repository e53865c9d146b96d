/** Label and field selectors for list and watch, behaving like kube-apiserver's. */
export {
  LabelSelector,
  labelSelectorFromObject,
  parseLabelSelector,
  type LabelOperator,
  type LabelRequirement,
} from './label-selector.ts';
export {
  FieldSelector,
  parseFieldSelector,
  type FieldOperator,
  type FieldRequirement,
} from './field-selector.ts';
export {
  customResourceFieldLabels,
  fieldLabelSpec,
  supportedFieldLabels,
  type FieldLabelConversion,
  type FieldLabelSpec,
} from './field-labels.ts';
export { resolveResourceKey } from './resource-key.ts';

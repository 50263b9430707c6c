/**
 * Field names that say what another field of the same record holds: settings written as
 * `{"name": "DB_PASSWORD", "value": "…"}` (Kubernetes and ECS `env` lists, CloudFormation
 * parameters, key/value exports) or as a `name,value` CSV, and Terraform state resources, whose
 * `type` (`random_password`, `aws_iam_access_key`, `tls_private_key`) says what all of their
 * `instances` hold. The naming field's value is the name whose field rule the named fields take.
 * Compared in lower case.
 */
const NAMING = new Set(['name', 'key', 'parametername', 'parameterkey', 'variable', 'optionname', 'type']);
const NAMED = new Set(['value', 'parametervalue', 'secret', 'data', 'instances']);

/** True when a field so named names the record's other fields (`name`, `ParameterKey`, …). */
export function isNamingField(name: string): boolean {
  return NAMING.has(name.toLowerCase());
}

/** True when a field so named holds what a naming field names (`value`, `ParameterValue`, …). */
export function isNamedField(name: string): boolean {
  return NAMED.has(name.toLowerCase());
}

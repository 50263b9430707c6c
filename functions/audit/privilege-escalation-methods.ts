/**
 * One documented way for a principal to grant itself more rights: every action in `actions` must be
 * allowed. `onOtherUsers` marks actions that escalate only when allowed on another user than the
 * key's own (creating an access key for oneself is routine self-service).
 */
export interface PrivilegeEscalationMethod {
  /** Stable id, as Rhino Security Labs names the method. */
  readonly id: string;
  readonly actions: readonly string[];
  readonly onOtherUsers?: readonly string[];
  /** Actions that escalate only when allowed on every resource of the pattern given. */
  readonly onEveryResource?: Readonly<Record<string, string>>;
}

/**
 * The IAM privilege escalation methods of Rhino Security Labs ("AWS IAM Privilege Escalation –
 * Methods and Mitigation", Spencer Gietzen, 2018), with the required permissions as their Pacu
 * module `iam__privesc_scan` lists them (github.com/RhinoSecurityLabs/pacu,
 * pacu/modules/iam__privesc_scan/main.py, `user_escalation_methods`; the optional List/Describe
 * helpers left out). `AssumeAnyRole` is not in that list: it is the issue's own case, a user that
 * may assume every role holds the union of their rights.
 */
export const PRIVILEGE_ESCALATION_METHODS: readonly PrivilegeEscalationMethod[] = [
  { id: 'CreateNewPolicyVersion', actions: ['iam:CreatePolicyVersion'] },
  { id: 'SetExistingDefaultPolicyVersion', actions: ['iam:SetDefaultPolicyVersion'] },
  { id: 'CreateEC2WithExistingIP', actions: ['iam:PassRole', 'ec2:RunInstances'] },
  { id: 'CreateAccessKey', actions: ['iam:CreateAccessKey'], onOtherUsers: ['iam:CreateAccessKey'] },
  { id: 'CreateLoginProfile', actions: ['iam:CreateLoginProfile'], onOtherUsers: ['iam:CreateLoginProfile'] },
  { id: 'UpdateLoginProfile', actions: ['iam:UpdateLoginProfile'], onOtherUsers: ['iam:UpdateLoginProfile'] },
  { id: 'AttachUserPolicy', actions: ['iam:AttachUserPolicy'] },
  { id: 'AttachGroupPolicy', actions: ['iam:AttachGroupPolicy'] },
  { id: 'AttachRolePolicy', actions: ['iam:AttachRolePolicy', 'sts:AssumeRole'] },
  { id: 'PutUserPolicy', actions: ['iam:PutUserPolicy'] },
  { id: 'PutGroupPolicy', actions: ['iam:PutGroupPolicy'] },
  { id: 'PutRolePolicy', actions: ['iam:PutRolePolicy', 'sts:AssumeRole'] },
  { id: 'AddUserToGroup', actions: ['iam:AddUserToGroup'] },
  { id: 'UpdateRolePolicyToAssumeIt', actions: ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'] },
  {
    id: 'PassExistingRoleToNewLambdaThenInvoke',
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
  },
  {
    id: 'PassExistingRoleToNewLambdaThenInvokeCrossAccount',
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission'],
  },
  {
    id: 'PassExistingRoleToNewLambdaThenTriggerWithNewDynamo',
    actions: [
      'iam:PassRole',
      'lambda:CreateFunction',
      'lambda:CreateEventSourceMapping',
      'dynamodb:CreateTable',
      'dynamodb:PutItem',
    ],
  },
  {
    id: 'PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo',
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
  },
  {
    id: 'PassExistingRoleToNewGlueDevEndpoint',
    actions: ['iam:PassRole', 'glue:CreateDevEndpoint', 'glue:GetDevEndpoint'],
  },
  { id: 'UpdateExistingGlueDevEndpoint', actions: ['glue:UpdateDevEndpoint'] },
  { id: 'PassExistingRoleToNewCloudFormation', actions: ['iam:PassRole', 'cloudformation:CreateStack'] },
  {
    id: 'PassExistingRoleToNewDataPipeline',
    actions: ['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition'],
  },
  { id: 'EditExistingLambdaFunctionWithRole', actions: ['lambda:UpdateFunctionCode'] },
  { id: 'PassExistingRoleToNewCodeStarProject', actions: ['codestar:CreateProject', 'iam:PassRole'] },
  { id: 'CodeStarCreateProjectFromTemplate', actions: ['codestar:CreateProjectFromTemplate'] },
  {
    id: 'CodeStarCreateProjectThenAssociateTeamMember',
    actions: ['codestar:CreateProject', 'codestar:AssociateTeamMember'],
  },
  {
    id: 'AssumeAnyRole',
    actions: ['sts:AssumeRole'],
    onEveryResource: { 'sts:AssumeRole': 'arn:aws:iam::*:role/*' },
  },
];

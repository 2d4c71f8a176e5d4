"""Prints infra-sam/template.yaml as CloudFormation would deploy it, as JSON: the SAM transform applied (the
same translator `sam deploy` runs, aws-sam-translator from the project's venv), then every intrinsic the
function roles and their policies use resolved with test values. The *IamIT tests read the roles' policies
from it, so they run each function with exactly what the template grants.

What it resolves, and with what:
  - parameters: the values given with --parameter, else the template's defaults (an SSM-typed parameter
    resolves to the value given, as if SSM returned it; List<...> values are comma-separated);
  - pseudo parameters: --stack-name, --region, --account, partition `aws`;
  - conditions, Fn::If (AWS::NoValue drops the key or list item), Fn::Sub, Fn::Join, Fn::Select, Fn::Split,
    Fn::Equals/Not/And/Or;
  - Ref and Fn::GetAtt of resources: what the emulator names them (an SQS queue's URL and ARN from its
    QueueName, a managed policy's ARN from its logical id, a table's ARN from its logical id ...);
  - the AWS managed policies the roles attach (AWSLambdaBasicExecutionRole, the SQS event source's
    AWSLambdaSQSQueueExecutionRole): their documents, from the copy moto ships (moto/iam/
    aws_managed_policies.py), under Metadata.AwsManagedPolicyDocuments, keyed by ARN.

Usage: .venv/bin/python scripts/resolve-template.py [--template FILE] [--stack-name rs-test]
           [--region us-east-1] [--account 123456789012] [--parameter Name=Value ...]
"""
import argparse
import copy
import json
import os
import re
import sys

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

NO_VALUE = object()
PARTITION = "aws"


class NoManagedPolicyNames:
    """The template names its policies by Ref or ARN, never by bare name, so no IAM lookup is needed."""

    def load(self):
        return {}


class Resolver:
    def __init__(self, template, parameters, stack, region, account):
        self.template = template
        self.resources = template.get("Resources", {})
        self.pseudo = {"AWS::StackName": stack, "AWS::Region": region, "AWS::AccountId": account,
                       "AWS::Partition": PARTITION, "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": NO_VALUE,
                       "AWS::StackId": f"arn:{PARTITION}:cloudformation:{region}:{account}:stack/{stack}/test"}
        self.parameters = {}
        for name, spec in template.get("Parameters", {}).items():
            value = parameters.get(name, spec.get("Default"))
            if value is None:
                raise SystemExit(f"resolve-template: parameter {name} has no default; give --parameter {name}=...")
            if str(spec.get("Type", "")).startswith("List<") or spec.get("Type") == "CommaDelimitedList":
                value = value if isinstance(value, list) else [v for v in str(value).split(",") if v]
            self.parameters[name] = value
        unknown = set(parameters) - set(self.parameters)
        if unknown:
            raise SystemExit(f"resolve-template: no such parameter: {', '.join(sorted(unknown))}")
        self.conditions = {}
        self.region, self.account, self.stack = region, account, stack

    def condition(self, name):
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def value(self, node):
        if isinstance(node, list):
            return [v for v in (self.value(item) for item in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            function = getattr(self, "fn_" + key.replace("Fn::", "").replace("::", "_"), None)
            if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
                if function is None:
                    raise SystemExit(f"resolve-template: {key} is not resolved here")
                return function(arg)
        resolved = {}
        for key, item in node.items():
            v = self.value(item)
            if v is not NO_VALUE:
                resolved[key] = v
        return resolved

    def fn_Ref(self, name):
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical_id(name)

    def fn_Condition(self, name):
        return self.condition(name)

    def fn_If(self, arg):
        name, when_true, when_false = arg
        return self.value(when_true if self.condition(name) else when_false)

    def fn_Equals(self, arg):
        a, b = (self.value(x) for x in arg)
        return str(a) == str(b)

    def fn_Not(self, arg):
        return not self.value(arg[0])

    def fn_And(self, arg):
        return all(self.value(x) for x in arg)

    def fn_Or(self, arg):
        return any(self.value(x) for x in arg)

    def fn_Join(self, arg):
        separator, items = arg
        return separator.join(str(v) for v in self.value(items))

    def fn_Select(self, arg):
        index, items = self.value(arg)
        return items[int(index)]

    def fn_Split(self, arg):
        separator, text = self.value(arg)
        return text.split(separator)

    def fn_GetAtt(self, arg):
        name, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
        return self.attribute(name, attribute)

    def fn_Sub(self, arg):
        text, variables = (arg, {}) if isinstance(arg, str) else arg
        variables = {k: self.value(v) for k, v in variables.items()}

        def replace(match):
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name:
                resource, attribute = name.split(".", 1)
                return str(self.attribute(resource, attribute))
            return str(self.fn_Ref(name))

        return re.sub(r"\$\{([^}]+)}", replace, text)

    def physical_id(self, name):
        """What Ref of a resource gives, named as the test stack names it on the emulator."""
        resource = self.resources.get(name)
        if resource is None:
            raise SystemExit(f"resolve-template: Ref to unknown resource {name}")
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.queue_name(name)}"
        if kind == "AWS::IAM::ManagedPolicy":
            return f"arn:{PARTITION}:iam::{self.account}:policy/{name}"
        if "LaunchTemplateName" in properties:
            return self.value(properties["LaunchTemplateName"])
        return f"{self.stack}-{name}"

    def queue_name(self, name):
        properties = self.resources[name].get("Properties", {})
        return self.value(properties.get("QueueName", f"{self.stack}-{name}"))

    def attribute(self, name, attribute):
        kind = self.resources[name]["Type"]
        if kind == "AWS::SQS::Queue" and attribute == "Arn":
            return f"arn:{PARTITION}:sqs:{self.region}:{self.account}:{self.queue_name(name)}"
        if kind == "AWS::SQS::Queue" and attribute == "QueueName":
            return self.queue_name(name)
        if kind == "AWS::DynamoDB::Table" and attribute == "Arn":
            return f"arn:{PARTITION}:dynamodb:{self.region}:{self.account}:table/{self.physical_id(name)}"
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return f"arn:{PARTITION}:iam::{self.account}:role/{name}"
        if kind == "AWS::IAM::Role" and attribute == "RoleId":
            return "AROA" + re.sub(r"[^A-Z0-9]", "", name.upper())
        if kind == "AWS::IAM::InstanceProfile" and attribute == "Arn":
            return f"arn:{PARTITION}:iam::{self.account}:instance-profile/{name}"
        if kind == "AWS::Logs::LogGroup" and attribute == "Arn":
            group = self.value(self.resources[name].get("Properties", {}).get("LogGroupName", name))
            return f"arn:{PARTITION}:logs:{self.region}:{self.account}:log-group:{group}:*"
        return f"{self.stack}-{name}.{attribute}"


def aws_managed_policies(template):
    """The documents of the AWS managed policies any role attaches, from moto's bundled copy."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    known = json.loads(aws_managed_policies_data)
    documents = {}
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for arn in resource.get("Properties", {}).get("ManagedPolicyArns", []):
            if isinstance(arn, str) and f":iam::aws:policy/" in arn:
                name = arn.rsplit("/", 1)[1]
                if name not in known:
                    raise SystemExit(f"resolve-template: no document for AWS managed policy {arn}")
                documents[arn] = known[name]["Document"]
    return documents


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--template", default=os.path.join(root, "infra-sam", "template.yaml"))
    parser.add_argument("--stack-name", default="rs-test")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--account", default="123456789012")
    parser.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    parameters = dict(p.split("=", 1) for p in args.parameter)

    with open(args.template, encoding="utf-8") as f:
        sam = yaml_parse(f.read())
    # As `sam validate` does: the translator wants an S3 location where the template has a local path.
    for resource in sam["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["CodeUri"] = "s3://runner-scaler-test/functions.zip"
    sam.get("Globals", {}).get("Function", {}).pop("CodeUri", None)

    cloudformation = transform(copy.deepcopy(sam), parameters, NoManagedPolicyNames())
    resolver = Resolver(cloudformation, parameters, args.stack_name, args.region, args.account)
    resolved = {"AWSTemplateFormatVersion": cloudformation.get("AWSTemplateFormatVersion"),
                "Parameters": resolver.parameters, "Resources": {}}
    for name, resource in cloudformation["Resources"].items():
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        resolved["Resources"][name] = {k: resolver.value(v) for k, v in resource.items() if k != "Condition"}
    resolved["Metadata"] = {"AwsManagedPolicyDocuments": aws_managed_policies(resolved)}
    json.dump(resolved, sys.stdout, indent=1, sort_keys=True, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

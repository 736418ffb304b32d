"""/api/v1/provisioning-rules/ and /access-groups/: who belongs in which system.

Rules are written through the rules page's form and service: the same checks, the same audit.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from portal.api.fields import SelectableFieldsMixin
from portal.api.forms import instance_data, json_object, valid_form
from portal.api.resources.base import IdLookupMixin
from portal.sync.models import AccessGroup, ProvisioningRule
from portal.sync.provisioning_forms import ProvisioningRuleForm
from portal.sync.rules import delete_rule, save_rule

RULE_FIELDS = ProvisioningRuleForm.Meta.fields


class ProvisioningRuleSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    who = serializers.CharField(read_only=True, help_text="The people it matches, in words.")

    class Meta:
        model = ProvisioningRule
        fields = ("id", "name", "who", *RULE_FIELDS[1:], "created_at", "updated_at")
        read_only_fields = fields


class ProvisioningRuleInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProvisioningRule
        fields = RULE_FIELDS


class ProvisioningRuleViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Provisioning rules: people matching a rule's site, department and position (each empty =
    any) are created in its systems and granted its access groups there."""

    queryset = ProvisioningRule.objects.prefetch_related(
        "accounts", "access_groups"
    ).select_related("site", "department", "position")
    serializer_class = ProvisioningRuleSerializer
    ordering_fields = ("id", "name")
    ordering = ["name"]

    def form_for(self, request, rule: ProvisioningRule) -> ProvisioningRuleForm:
        data = instance_data(rule, RULE_FIELDS)
        data.update({k: v for k, v in json_object(request).items() if k in RULE_FIELDS})
        return ProvisioningRuleForm(data, instance=rule)

    @extend_schema(
        request=ProvisioningRuleInputSerializer, responses={201: ProvisioningRuleSerializer}
    )
    def create(self, request):
        rule = save_rule(valid_form(self.form_for(request, ProvisioningRule())), request)
        return Response(ProvisioningRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProvisioningRuleInputSerializer(partial=True), responses=ProvisioningRuleSerializer
    )
    def partial_update(self, request, pk=None):
        """Change only the fields sent."""
        return self.update(request, pk, partial=True)

    @extend_schema(request=ProvisioningRuleInputSerializer, responses=ProvisioningRuleSerializer)
    def update(self, request, pk=None, partial=False):
        rule = save_rule(valid_form(self.form_for(request, self.get_object())), request)
        return Response(ProvisioningRuleSerializer(rule).data)

    def perform_destroy(self, rule):
        delete_rule(rule, self.request)


class AccessGroupSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = AccessGroup
        fields = ("id", "account", "vendor_id", "name", "description", "gone_at")
        read_only_fields = fields


class AccessGroupViewSet(
    IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Vendor access groups (BioStar) as last read: what rules and people can be granted."""

    queryset = AccessGroup.objects.all()
    serializer_class = AccessGroupSerializer
    filterset_fields = ["account"]
    ordering_fields = ("id", "name")
    ordering = ["id"]
    # seeing the groups is part of seeing the rules
    action_permissions = {
        "list": ["sync.view_provisioningrule"],
        "retrieve": ["sync.view_provisioningrule"],
    }

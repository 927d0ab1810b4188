"""REST endpoints: public verification, department lookup by holder (POST, audited) and issuing
for department systems."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from tongban.core.identifiers import ID_TYPES
from tongban.licences import actions, identifier, policy, status
from tongban.licences.models import Licence, LicenceType


class VerifyRequest(serializers.Serializer):
    identifier = serializers.CharField(max_length=200, help_text="电子证照标识")


class VerifyResult(serializers.Serializer):
    found = serializers.BooleanField()
    valid = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    identifier = serializers.CharField(required=False)
    licence_type = serializers.CharField(required=False)
    type_code = serializers.CharField(required=False)
    holder = serializers.CharField(required=False, help_text="持证主体（已脱敏）")
    holder_id = serializers.CharField(required=False, help_text="持证主体代码（已脱敏）")
    holder_id_type = serializers.CharField(required=False)
    issuer = serializers.CharField(required=False)
    issuer_code = serializers.CharField(required=False)
    issued_on = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)
    status = serializers.CharField(required=False)
    status_label = serializers.CharField(required=False)
    version = serializers.IntegerField(required=False)
    trust_level = serializers.CharField(required=False)
    status_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="撤销、注销或替代的原因"
    )
    status_basis = serializers.CharField(required=False, allow_blank=True, help_text="法律依据")
    status_changed_at = serializers.DateTimeField(required=False, allow_null=True)
    decision_number = serializers.CharField(
        required=False, allow_blank=True, help_text="撤销决定书文号"
    )


class LookupRequest(serializers.Serializer):
    holder_id_type = serializers.ChoiceField(choices=list(ID_TYPES))
    holder_id_number = serializers.CharField(max_length=30)
    case_number = serializers.CharField(
        max_length=43,
        help_text="正在办理的办件编号（须为本部门在办办件；记入审计日志）",
        error_messages={
            "required": "请填写所办理办件的办件编号",
            "blank": "请填写所办理办件的办件编号",
        },
    )
    purpose = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="补充说明（可选）"
    )


class RevokeRequest(serializers.Serializer):
    identifier = serializers.CharField(max_length=200, help_text="电子证照标识")
    reason = serializers.CharField(max_length=200, help_text="撤销理由")
    legal_basis = serializers.CharField(max_length=300, help_text="法律依据")


class CancelRequest(serializers.Serializer):
    identifier = serializers.CharField(max_length=200, help_text="电子证照标识")
    reason = serializers.ChoiceField(choices=status.CancelReason.choices, help_text="注销原因")
    note = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="情况说明（其他法定情形必填）"
    )


class IssueRequest(serializers.Serializer):
    type_code = serializers.CharField(max_length=21)
    holder_name = serializers.CharField(max_length=200)
    holder_id_type = serializers.ChoiceField(choices=list(ID_TYPES))
    holder_id_number = serializers.CharField(max_length=30)
    data = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class VerifyThrottle(SimpleRateThrottle):
    """Per client address; rate REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["licence_verify"] or, by
    default, the identifier-check rate (120/min)."""

    scope = "licence_verify"

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get("licence_verify") or rates.get("identifier_check") or "120/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _raise(error: ValidationError):
    raise ApiValidationError(
        error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    )


class VerifyView(APIView):
    """Check an e-licence identifier: format, MOD 37,36 check character, status and validity."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        request=VerifyRequest,
        responses=VerifyResult,
        operation_id="licences_verify",
        summary="核验电子证照标识",
    )
    def post(self, request):
        incoming = VerifyRequest(data=request.data)
        incoming.is_valid(raise_exception=True)
        return Response(actions.verify(incoming.validated_data["identifier"]).as_dict())


class LookupView(APIView):
    """A holder's licences for staff of authorised departments; ID numbers in the body only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LookupRequest,
        responses=VerifyResult(many=True),
        operation_id="licences_lookup",
        summary="办理办件时按持证主体查询电子证照（受理/承办/审核/批准人员，须填办件编号）",
    )
    def post(self, request):
        incoming = LookupRequest(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            found = actions.lookup(actor=request.user, **incoming.validated_data)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            _raise(error)
        return Response([actions.Verification(True, "", lic).as_dict() for lic in found])


class IssueView(APIView):
    """Issue a licence from a department system (handler/approver of the issuing department)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=IssueRequest,
        responses={201: VerifyResult},
        operation_id="licences_issue",
        summary="签发电子证照（部门业务系统）",
    )
    def post(self, request):
        incoming = IssueRequest(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        licence_type = LicenceType.objects.filter(
            type_code=values["type_code"].strip().upper(), is_active=True
        ).first()
        if licence_type is None:
            raise ApiValidationError({"type_code": ["证照类型不存在或未启用"]})
        if not policy.can_issue(request.user):
            raise PermissionDenied("只有颁发机构的承办或批准人员可以签发证照")
        try:
            licence = actions.issue(
                licence_type=licence_type,
                holder_name=values["holder_name"],
                holder_id_type=values["holder_id_type"],
                holder_id_number=values["holder_id_number"],
                data=values.get("data") or {},
                actor=request.user,
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            _raise(error)
        return Response(actions.Verification(True, "", licence).as_dict(), status=201)


def _licence_by_identifier(raw: str) -> Licence:
    ok, reason = identifier.check(raw)
    if not ok:
        raise ApiValidationError({"identifier": [reason]})
    licence = Licence.objects.filter(identifier=identifier.normalise(raw)).first()
    if licence is None:
        raise ApiValidationError({"identifier": ["未找到该证照"]})
    return licence


def _end(request, serializer_class, call):
    incoming = serializer_class(data=request.data)
    incoming.is_valid(raise_exception=True)
    values = dict(incoming.validated_data)
    if request.user.kind != "staff":  # the issuing department's staff; policy decides which
        raise PermissionDenied("只有颁发机构的工作人员可以撤销或注销证照")
    licence = _licence_by_identifier(values.pop("identifier"))
    try:
        ended = call(licence, values)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except ValidationError as error:
        _raise(error)
    ended = Licence.objects.select_related("licence_type", "issuer", "status_document").get(
        pk=ended.pk
    )
    return Response(actions.Verification(False, actions.status_sentence(ended), ended).as_dict())


class RevokeView(APIView):
    """撤销: the issuing department's approver revokes a licence; a sealed 撤销决定书 is issued."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RevokeRequest,
        responses=VerifyResult,
        operation_id="licences_revoke",
        summary="撤销电子证照（颁发机构批准人员，签发撤销决定书）",
    )
    def post(self, request):
        return _end(
            request,
            RevokeRequest,
            lambda licence, v: status.revoke(
                licence, request.user, v["reason"], legal_basis=v["legal_basis"]
            ),
        )


class CancelView(APIView):
    """注销: the issuing department's handler or approver records that a licence has ended."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CancelRequest,
        responses=VerifyResult,
        operation_id="licences_cancel",
        summary="注销电子证照（颁发机构承办或批准人员）",
    )
    def post(self, request):
        return _end(
            request,
            CancelRequest,
            lambda licence, v: status.cancel(
                licence, request.user, v["reason"], note=v.get("note", "")
            ),
        )

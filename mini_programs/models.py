"""Models of the canteen's mini-program (信订餐): who eats, what is served, who ordered what.

Diners are the canteen's own staff records (:class:`Diner`); a WeChat identity only points at
one (:class:`WeChatBinding`, per AppID), so that a change of the mini-program's owning entity
(主体变更) with a new AppID re-binds people to the same records and keeps their history.
Money is ``DecimalField`` throughout; an order keeps the prices it was placed at.

A diner's phone number is personal data and is stored like citizens' (``backend_bridge.crypto``):
SM4-GCM ciphertext, with an HMAC-SM3 blind index for the one lookup by number (binding, the
staff-list import), which is also what keeps numbers unique; ``rotate_keys`` re-keys both.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from backend_bridge.crypto import EncryptedTextField, blind_index, blind_indexes, mask_phone

ZERO = Decimal("0.00")


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", "早餐"
    LUNCH = "lunch", "午餐"
    DINNER = "dinner", "晚餐"


class Department(models.Model):
    name = models.CharField("部门名称", max_length=100, unique=True)
    may_order = models.BooleanField(
        "允许订餐", default=True, help_text="取消勾选后，本部门人员不能在小程序订餐。"
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


#: Purpose of the phone numbers' blind index (kept apart from citizens' phone index).
PHONE_INDEX_PURPOSE = "diner_phone"


class DinerQuerySet(models.QuerySet):
    def with_phone(self, phone: str):
        """Diners with this number, under every readable index key (a rotation may be under
        way)."""
        return self.filter(phone_index__in=blind_indexes(phone, PHONE_INDEX_PURPOSE))

    def with_phones(self, phones):
        indexes = [i for phone in phones for i in blind_indexes(phone, PHONE_INDEX_PURPOSE)]
        return self.filter(phone_index__in=indexes)


class Diner(models.Model):
    """A member of staff who may eat in the canteen (用餐人员): the record orders belong to."""

    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("手机号")
    phone_index = models.CharField(max_length=64, unique=True, editable=False)
    employee_no = models.CharField("工号", max_length=32, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diners",
    )
    active = models.BooleanField("允许订餐", default=True)
    guests_allowed = models.BooleanField("允许代订客餐", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = DinerQuerySet.as_manager()

    class Meta:
        verbose_name = "用餐人员"
        verbose_name_plural = "用餐人员"
        ordering = ["department__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.department or '未分配部门'}）"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "phone" in update_fields:
            self.phone_index = blind_index(self.phone or "", PHONE_INDEX_PURPOSE)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "phone_index"}
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class WeChatBinding(models.Model):
    """One WeChat user of one mini-program (AppID) bound to a diner."""

    class Method(models.TextChoices):
        SMS = "sms", "短信验证"
        INVITATION = "invitation", "邀请码"
        UNIONID = "unionid", "UnionID 自动关联"

    diner = models.ForeignKey(
        Diner, verbose_name="用餐人员", on_delete=models.CASCADE, related_name="bindings"
    )
    app_id = models.CharField("小程序 AppID", max_length=32)
    openid = models.CharField("OpenID", max_length=64)
    unionid = models.CharField("UnionID", max_length=64, blank=True, db_index=True)
    method = models.CharField("绑定方式", max_length=16, choices=Method.choices)
    bound_at = models.DateTimeField("绑定时间", auto_now_add=True)

    class Meta:
        verbose_name = "微信绑定"
        verbose_name_plural = "微信绑定"
        constraints = [
            models.UniqueConstraint(fields=["app_id", "openid"], name="mp_binding_app_openid"),
            models.UniqueConstraint(fields=["app_id", "diner"], name="mp_binding_app_diner"),
        ]

    def __str__(self) -> str:
        return f"{self.diner.name} @ {self.app_id}"


class MpSession(models.Model):
    """The backend's own session for a signed-in mini-program user. Only a hash of the token
    is stored; WeChat's ``session_key`` stays here and is never sent to the mini-program."""

    key_hash = models.CharField(max_length=64, unique=True)
    app_id = models.CharField(max_length=32)
    openid = models.CharField(max_length=64)
    unionid = models.CharField(max_length=64, blank=True)
    session_key = models.CharField(max_length=64, blank=True)
    diner = models.ForeignKey(Diner, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "小程序会话"
        verbose_name_plural = "小程序会话"

    def __str__(self) -> str:
        return f"{self.openid} @ {self.app_id}"


class Invitation(models.Model):
    """A one-time invitation code the canteen hands a diner who cannot receive SMS."""

    diner = models.ForeignKey(
        Diner, verbose_name="用餐人员", on_delete=models.CASCADE, related_name="invitations"
    )
    code = models.CharField("邀请码", max_length=16, unique=True, editable=False)
    expires_at = models.DateTimeField("有效期至")
    used_at = models.DateTimeField("使用时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "邀请码"
        verbose_name_plural = "邀请码"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code}（{self.diner.name}）"


class Dish(models.Model):
    name = models.CharField("菜品名称", max_length=50, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="图片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField("在售", default=True)

    class Meta:
        verbose_name = "菜品"
        verbose_name_plural = "菜品"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    date = models.DateField("日期", unique=True)
    name = models.CharField("名称", max_length=50, help_text="例如：元旦、国庆节、设备检修")

    class Meta:
        verbose_name = "停餐日"
        verbose_name_plural = "停餐日"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Meal(ClusterableModel):
    """One meal on one day (e.g. 12月3日午餐): its menu, price, subsidy, cutoff and capacity.

    ``reserved`` is the number of portions taken by active orders; the ordering service moves
    it with one conditional UPDATE, which is what keeps concurrent orders within capacity.
    """

    date = models.DateField("日期")
    kind = models.CharField("餐次", max_length=16, choices=MealKind.choices)
    price = models.DecimalField(
        "价格（元/份）", max_digits=8, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    subsidy = models.DecimalField(
        "单位补贴（元/份）",
        max_digits=8,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text="本人用餐按“价格－补贴”计费；客餐按原价计费。",
    )
    cutoff_at = models.DateTimeField("订餐截止时间", help_text="截止后不能再订餐、改餐或退餐。")
    capacity = models.PositiveIntegerField("供应份数", validators=[MinValueValidator(1)])
    reserved = models.PositiveIntegerField("已订份数", default=0, editable=False)
    guests_allowed = models.BooleanField("允许客餐", default=False)
    max_guests = models.PositiveSmallIntegerField("每单客餐上限", default=2)
    departments = ParentalManyToManyField(
        Department,
        verbose_name="限定部门",
        blank=True,
        related_name="+",
        help_text="不选则所有允许订餐的部门均可订。",
    )
    cancelled = models.BooleanField(
        "已取消供应", default=False, help_text="勾选并保存后，所有已订人员会收到停餐通知。"
    )
    cancel_reason = models.CharField("取消原因", max_length=50, blank=True)

    class Meta:
        verbose_name = "餐次"
        verbose_name_plural = "餐次"
        ordering = ["-date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["date", "kind"], name="mp_meal_date_kind"),
            models.CheckConstraint(
                condition=Q(reserved__lte=models.F("capacity")), name="mp_meal_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.month}月{self.date.day}日{self.get_kind_display()}"

    @property
    def diner_price(self) -> Decimal:
        return max(self.price - self.subsidy, ZERO)

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.reserved, 0)


class MealDish(Orderable):
    meal = ParentalKey(Meal, on_delete=models.CASCADE, related_name="menu_items")
    dish = models.ForeignKey(
        Dish, verbose_name="菜品", on_delete=models.PROTECT, related_name="menu_items"
    )

    class Meta(Orderable.Meta):
        verbose_name = "菜单菜品"
        verbose_name_plural = "菜单菜品"
        constraints = [models.UniqueConstraint(fields=["meal", "dish"], name="mp_meal_dish")]


class Order(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "已订"
        CANCELLED = "cancelled", "已退订"
        MEAL_CANCELLED = "meal_cancelled", "停餐取消"

    diner = models.ForeignKey(
        Diner, verbose_name="用餐人员", on_delete=models.PROTECT, related_name="orders"
    )
    meal = models.ForeignKey(
        Meal, verbose_name="餐次", on_delete=models.PROTECT, related_name="orders"
    )
    dish = models.ForeignKey(
        Dish,
        verbose_name="所选菜品",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    guests = models.PositiveSmallIntegerField("客餐份数", default=0)
    portions = models.PositiveSmallIntegerField("份数", default=1)
    unit_price = models.DecimalField("本人单价", max_digits=8, decimal_places=2)
    guest_price = models.DecimalField("客餐单价", max_digits=8, decimal_places=2)
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    created_at = models.DateTimeField("下单时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "订单"
        verbose_name_plural = "订单"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["diner", "meal"],
                condition=Q(status="active"),
                name="mp_order_one_active_per_meal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.diner.name} · {self.meal}"


class Notice(models.Model):
    """A subscribe message (订阅消息) to send: a durable outbox row, sent by ``mp_send_notices``.

    Reminders wait until ``next_attempt_at`` (before the cutoff); a cancelled meal's notices are
    due at once. The intent is recorded before the call: a call whose answer was lost is never
    repeated (state 结果未知), so nobody is notified twice.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "截止提醒"
        MEAL_CANCELLED = "meal_cancelled", "停餐通知"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        UNKNOWN = "unknown", "结果未知"
        SKIPPED = "skipped", "无需发送"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    diner = models.ForeignKey(
        Diner, verbose_name="用餐人员", on_delete=models.CASCADE, related_name="notices"
    )
    meal = models.ForeignKey(Meal, verbose_name="餐次", on_delete=models.CASCADE, related_name="+")
    app_id = models.CharField("小程序 AppID", max_length=32)
    openid = models.CharField("OpenID", max_length=64)
    state = models.CharField(
        "状态", max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("计划发送时间", db_index=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "订阅消息"
        verbose_name_plural = "订阅消息"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "diner", "meal"], name="mp_notice_once_per_meal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.diner.name} · {self.meal}"

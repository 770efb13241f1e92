"""Wagtail admin: the 食堂订餐 menu (dishes, meals, holidays, diners, departments, invitations,
orders, notices as snippets, plus live counts, exports and the staff-list import).

Access follows Django model permissions through each viewset's permission policy: the group
食堂管理员 (``services.seeding``) holds them; portal editors and reviewers do not, and are
refused. A record that orders or menus refer to is not deleted: the admin explains why.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from . import admin_views
from .forms import DinerForm, HolidayForm, InvitationForm, MealForm
from .models import (
    Department,
    Diner,
    Dish,
    Holiday,
    Invitation,
    Meal,
    Notice,
    Order,
    WeChatBinding,
)
from .services.deletion import deletion_refusal
from .services.errors import MealError


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.dashboard, name="dashboard"),
        path("export/day/", admin_views.export_day, name="export_day"),
        path("export/month/", admin_views.export_month, name="export_month"),
        path("import/", admin_views.import_view, name="import"),
    ]
    return [
        path("canteen/", include((urls, "mini_programs_admin"), namespace="mini_programs_admin"))
    ]


@hooks.register("before_delete_snippet")
def refuse_referenced(request, instances):
    for instance in instances:
        if isinstance(instance, Dish | Meal | Diner | Department):
            refusal = deletion_refusal(instance)
            if refusal:
                messages.error(request, refusal)
                return redirect(instance.snippet_viewset.get_url_name("list"))
    return None


class CountsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_see_counts(request.user)


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.diners_policy.user_has_permission(request.user, "add")


class DishViewSet(SnippetViewSet):
    model = Dish
    icon = "doc-full"
    menu_label = "菜品"
    list_display = ["name", "description", BooleanColumn("active", label="在售")]
    list_filter = ["active"]
    search_fields = ["name"]
    copy_view_enabled = False
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("image"),
        FieldPanel("active"),
    ]


class RefusedSaveMixin:
    """A refusal of the save itself (capacity below the portions ordered meanwhile, a race
    with another save) re-renders the form with the canteen's input and the reason, not a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except MealError as error:
            field = "capacity" if error.code == "capacity_below_reserved" else None
            form.add_error(field, error.message)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class MealEditView(RefusedSaveMixin, EditView):
    pass


class MealCreateView(RefusedSaveMixin, CreateView):
    pass


class MealViewSet(SnippetViewSet):
    model = Meal
    add_view_class = MealCreateView
    edit_view_class = MealEditView
    icon = "date"
    menu_label = "每日菜单"
    list_display = [
        "__str__",
        "price",
        "subsidy",
        "cutoff_at",
        "capacity",
        "reserved",
        BooleanColumn("cancelled", label="已取消供应"),
    ]
    list_filter = ["kind", "cancelled", "date"]
    copy_view_enabled = True
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("date"), FieldPanel("kind")]),
            FieldRowPanel([FieldPanel("price"), FieldPanel("subsidy")]),
            FieldRowPanel([FieldPanel("cutoff_at"), FieldPanel("capacity")]),
            InlinePanel("menu_items", label="菜品", heading="菜单"),
            MultiFieldPanel(
                [FieldPanel("guests_allowed"), FieldPanel("max_guests"), FieldPanel("departments")],
                heading="谁可以订",
            ),
            MultiFieldPanel(
                [FieldPanel("cancelled"), FieldPanel("cancel_reason")], heading="取消供应"
            ),
        ],
        base_form_class=MealForm,
    )


class HolidayViewSet(SnippetViewSet):
    model = Holiday
    icon = "calendar-alt"
    menu_label = "停餐日"
    list_display = ["date", "name"]
    copy_view_enabled = False
    edit_handler = ObjectList([FieldPanel("date"), FieldPanel("name")], base_form_class=HolidayForm)


class DinerViewSet(SnippetViewSet):
    model = Diner
    icon = "user"
    menu_label = "用餐人员"
    list_display = [
        "name",
        "department",
        Column("masked_phone", label="手机号"),  # stored encrypted, shown masked
        "employee_no",
        BooleanColumn("active", label="允许订餐"),
        BooleanColumn("guests_allowed", label="允许代订客餐"),
    ]
    list_filter = ["department", "active", "guests_allowed"]
    # Phone numbers are ciphertext: not searchable by value (the import matches by number).
    search_fields = ["name", "employee_no"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("phone"),
            FieldPanel("employee_no"),
            FieldPanel("department"),
            FieldPanel("active"),
            FieldPanel("guests_allowed"),
        ],
        base_form_class=DinerForm,
    )


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = "部门"
    list_display = ["name", BooleanColumn("may_order", label="允许订餐")]
    copy_view_enabled = False
    panels = [FieldPanel("name"), FieldPanel("may_order")]


class InvitationViewSet(SnippetViewSet):
    model = Invitation
    icon = "key"
    menu_label = "邀请码"
    list_display = ["code", "diner", "expires_at", "used_at"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [FieldPanel("diner"), FieldPanel("expires_at")], base_form_class=InvitationForm
    )


class OrderViewSet(SnippetViewSet):
    model = Order
    icon = "list-ul"
    menu_label = "订单"
    list_display = ["diner", "meal", "guests", "portions", "amount", "status", "created_at"]
    list_filter = ["status", "meal__date", "meal__kind"]
    search_fields = ["diner__name"]
    copy_view_enabled = False
    inspect_view_enabled = True
    # Orders come from diners through the mini-program; the canteen looks, never types them.
    panels = [FieldPanel("status", read_only=True), FieldPanel("amount", read_only=True)]


class NoticeViewSet(SnippetViewSet):
    model = Notice
    icon = "mail"
    menu_label = "订阅消息"
    list_display = ["kind", "diner", "meal", "state", "next_attempt_at", "last_error"]
    list_filter = ["state", "kind"]
    copy_view_enabled = False
    inspect_view_enabled = True
    panels = [FieldPanel("state", read_only=True), FieldPanel("last_error", read_only=True)]


class BindingViewSet(SnippetViewSet):
    model = WeChatBinding
    icon = "link"
    menu_label = "微信绑定"
    list_display = ["diner", "app_id", "method", "bound_at"]
    list_filter = ["app_id", "method"]
    search_fields = ["diner__name"]
    copy_view_enabled = False
    inspect_view_enabled = True
    # Bindings are made by diners in the mini-program; the canteen only removes one (a diner
    # who changed phones), after which the diner binds again.
    panels = [FieldPanel("method", read_only=True)]


class CanteenGroup(SnippetViewSetGroup):
    menu_label = "食堂订餐"
    menu_icon = "table"
    menu_name = "canteen"
    menu_order = 470
    items = (
        MealViewSet,
        DishViewSet,
        HolidayViewSet,
        DinerViewSet,
        DepartmentViewSet,
        InvitationViewSet,
        BindingViewSet,
        OrderViewSet,
        NoticeViewSet,
    )

    def get_submenu_items(self):
        return [
            CountsMenuItem(
                "订餐统计与导出",
                reverse_lazy("mini_programs_admin:dashboard"),
                icon_name="table",
                order=1,
            ),
            *super().get_submenu_items(),
            ImportMenuItem(
                "导入用餐人员",
                reverse_lazy("mini_programs_admin:import"),
                icon_name="upload",
                order=900,
            ),
        ]


register_snippet(CanteenGroup)

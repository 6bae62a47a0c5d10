"""Ratings in the admin: administrators read them, with the averages per measure, district and
stage of the list as filtered; nobody adds, changes or deletes a rating."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from enterprises.districts import District
from policy_portal.admin_mixins import ReadOnlyAdminMixin
from reviews.admin.filters import DistrictFilter, MeasureFilter, filter_by_known

from . import permissions
from .models import SCORE_LABELS, Rating, RatingStage
from .selectors import rating_averages, ratings_for_administrators, withheld_label


class RatingMeasureFilter(MeasureFilter):
    lookup = "application__track__measure"


class RatingDistrictFilter(DistrictFilter):
    lookup = "application__district"


class ScoreFilter(admin.SimpleListFilter):
    """The five scores, each with its word, whether any rating has it yet or not."""

    title = _("评分")
    parameter_name = "score"

    def lookups(self, request, model_admin):
        return [
            (str(score), _("%(score)s分（%(word)s）") % {"score": score, "word": word})
            for score, word in sorted(SCORE_LABELS.items(), reverse=True)
        ]

    def queryset(self, request, queryset):
        return filter_by_known(queryset, "score", self.value(), [str(s) for s in SCORE_LABELS])


# What the list and a rating's page both show, in this order.
RATING_COLUMNS = [
    "reference",
    "enterprise_name",
    "measure",
    "district",
    "stage",
    "score_shown",
    "comment",
]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/ratings/rating/change_list.html"
    list_display = [*RATING_COLUMNS, "created_at"]
    list_display_links = ["reference"]
    list_filter = [RatingMeasureFilter, RatingDistrictFilter, "stage", ScoreFilter]
    search_fields = ["application__reference", "application__enterprise__name"]
    search_help_text = _("按申报编号或企业名称查找")
    list_per_page = 50
    show_facets = admin.ShowFacets.NEVER
    # A rating's page says who rated as well.
    fields = [*RATING_COLUMNS, "rated_by", "created_at"]
    readonly_fields = fields

    # ── who ────────────────────────────────────────────────────────────────────────────────

    def has_module_permission(self, request) -> bool:
        return permissions.may_read_ratings(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.may_read_ratings(request.user)

    def get_queryset(self, request):
        return ratings_for_administrators()

    # ── columns ────────────────────────────────────────────────────────────────────────────

    @admin.display(description=_("申报编号"), ordering="application__reference")
    def reference(self, rating):
        return rating.application.reference_label

    @admin.display(description=_("企业名称"), ordering="application__enterprise__name")
    def enterprise_name(self, rating):
        return rating.application.enterprise.name

    @admin.display(description=_("政策条款"), ordering="application__track__measure__number")
    def measure(self, rating):
        return str(rating.application.track.measure)

    @admin.display(description=_("所在区县"), ordering="application__district")
    def district(self, rating):
        return rating.application.get_district_display()

    @admin.display(description=_("评分"), ordering="score")
    def score_shown(self, rating):
        return (
            f"{'★' * rating.score}{'☆' * (5 - rating.score)} {rating.score}（{rating.score_label}）"
        )

    # ── the averages of the list as filtered ───────────────────────────────────────────────

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        changelist = context.get("cl") if context else None
        if changelist is not None:
            averages = rating_averages(changelist.queryset)
            districts = dict(District.choices)
            stages = dict(RatingStage.choices)
            context["averages"] = {
                "overall": averages["overall"],
                "withheld": withheld_label(),
                "groups": [
                    (
                        _("按政策条款"),
                        [
                            (
                                _("第%(number)s条 %(title)s")
                                % {
                                    "number": row["application__track__measure__number"],
                                    "title": row["application__track__measure__title"],
                                },
                                row,
                            )
                            for row in averages["by_measure"]
                        ],
                    ),
                    (
                        _("按区县"),
                        [
                            (districts.get(row["application__district"], ""), row)
                            for row in averages["by_district"]
                        ],
                    ),
                    (
                        _("按评价环节"),
                        [(stages.get(row["stage"], ""), row) for row in averages["by_stage"]],
                    ),
                ],
            }
        return response

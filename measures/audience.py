"""Whom the notice's sections and measures are aimed at: the industry groups and enterprise
scales an enterprise declares in its profile (``Enterprise.industry``, ``Enterprise.scale``) and a
section or measure may name (``industries``, ``scales`` in ``policy.toml``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    AUTOMOTIVE = "automotive", _("汽车摩托车")
    ELECTRONICS = "electronics", _("电子信息")
    EQUIPMENT = "equipment", _("装备制造")
    MATERIALS = "materials", _("材料")
    CONSUMER_GOODS = "consumer_goods", _("消费品")
    BIOMEDICINE = "biomedicine", _("生物医药")
    SOFTWARE = "software", _("软件和信息服务")
    ENERGY = "energy", _("能源")
    OTHER = "other", _("其他")


class Scale(models.TextChoices):
    LARGE = "large", _("大型企业")
    MEDIUM = "medium", _("中型企业")
    SMALL = "small", _("小型企业")
    MICRO = "micro", _("微型企业")

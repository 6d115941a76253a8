from django.contrib import admin

from kabinet.premises.models import (
    BuildingMeter,
    BuildingMeterMonth,
    House,
    HouseDebt,
    HouseFollow,
    ManagementCompany,
    Premises,
    Settlement,
    Street,
)


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "settlement"]
    list_filter = ["settlement"]
    list_select_related = ["settlement"]
    search_fields = ["name", "settlement__name"]


@admin.register(ManagementCompany)
class ManagementCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "phone"]
    search_fields = ["name", "address", "phone"]


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "management_company"]
    list_select_related = ["street__settlement", "management_company"]
    list_filter = ["street__settlement"]
    search_fields = ["street__name", "number", "management_company__name"]
    autocomplete_fields = ["street", "management_company"]


@admin.register(HouseFollow)
class HouseFollowAdmin(admin.ModelAdmin):
    list_display = ["user", "house", "created_at"]
    list_select_related = ["user", "house__street__settlement"]
    raw_id_fields = ["user", "house"]
    search_fields = ["house__street__name", "house__number", "user__email", "user__phone"]


class BuildingMeterMonthInline(admin.TabularInline):
    model = BuildingMeterMonth
    extra = 0


@admin.register(BuildingMeter)
class BuildingMeterAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "contract_number", "house"]
    list_filter = ["kind"]
    list_select_related = ["house__street__settlement"]
    raw_id_fields = ["house"]
    search_fields = ["number", "contract_number", "house__street__name", "location"]
    inlines = [BuildingMeterMonthInline]


@admin.register(BuildingMeterMonth)
class BuildingMeterMonthAdmin(admin.ModelAdmin):
    list_display = ["meter", "period", "heat_gcal", "hours_out_of_service"]
    list_select_related = ["meter"]
    raw_id_fields = ["meter"]
    search_fields = ["meter__number"]
    date_hierarchy = "period"


@admin.register(HouseDebt)
class HouseDebtAdmin(admin.ModelAdmin):
    list_display = ["house", "period", "debt_kopecks"]
    list_select_related = ["house__street__settlement"]
    raw_id_fields = ["house"]
    search_fields = ["house__street__name", "house__number"]
    date_hierarchy = "period"


@admin.register(Premises)
class PremisesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "area_m2", "registered_people"]
    list_select_related = ["house__street__settlement"]
    raw_id_fields = ["house"]
    search_fields = ["house__street__name", "house__number", "flat"]

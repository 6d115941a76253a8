from django.contrib import admin

from kabinet.billing.models import Charge, Payment


@admin.register(Charge)
class ChargeAdmin(admin.ModelAdmin):
    list_display = ["account", "period", "service", "kind", "amount_kopecks"]
    list_filter = ["kind", "period"]
    search_fields = ["account__number"]
    raw_id_fields = ["account"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["account", "credited_on", "amount_kopecks", "channel"]
    list_filter = ["channel"]
    search_fields = ["account__number", "document"]
    raw_id_fields = ["account"]

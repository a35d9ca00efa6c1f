"""Routes of payroll processing."""

from django.urls import path

from payjournal.payroll import views

urlpatterns = [
    path("", views.companies, name="companies"),
    path("<int:company_id>/mapping/", views.map_company, name="map-company"),
]

"""URL configuration: accounts, the admin, health, and the desk under /w/<workspace>/."""

from django.contrib import admin
from django.urls import include, path

from claims import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("workspaces/", views.workspace_list, name="workspace_list"),
    path("w/<slug:slug>/", views.dashboard, name="dashboard"),
    path("w/<slug:slug>/articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("w/<slug:slug>/claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("w/<slug:slug>/claims/<int:pk>/verdict/", views.verdict_detail, name="verdict_detail"),
]

from django.contrib.auth import views as auth_views
from django.urls import include, path

from traguardo.core.tenancy import public_view
from traguardo.web import views
from traguardo.web.forms import LoginForm

tenant_patterns = [
    path("piani/", views.plan_list, name="plan_list"),
    path("piani/<int:year>/", views.plan_detail, name="plan_detail"),
    path("piani/<int:year>/stampa.pdf", views.plan_pdf, name="plan_pdf"),
    path("schede/<int:pk>/", views.objective_detail, name="objective_detail"),
    path("schede/<int:pk>/stampa.pdf", views.objective_pdf, name="objective_pdf"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accesso/",
        public_view(
            auth_views.LoginView.as_view(
                template_name="web/login.html",
                authentication_form=LoginForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("uscita/", public_view(auth_views.LogoutView.as_view()), name="logout"),
    path("enti/<slug:authority>/", include(tenant_patterns)),
]

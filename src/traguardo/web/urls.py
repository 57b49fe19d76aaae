from django.contrib.auth import views as auth_views
from django.urls import include, path

from traguardo.core.tenancy import public_view
from traguardo.web.forms import LoginForm
from traguardo.web.views import access as access_views
from traguardo.web.views import account as account_views
from traguardo.web.views import (
    audit,
    calendar,
    core,
    dashboard,
    documents,
    evaluation_assignments,
    evaluation_documents,
    evaluation_settings,
    evaluations,
    exports,
    guide,
    imports,
    jobs,
    lifecycle,
    monitoring,
    objectives,
    pay,
    plans,
    setup,
    transparency,
    variations,
    word,
)
from traguardo.web.views import public_texts as public_texts_views

tenant_patterns = [
    *plans.urlpatterns,
    *lifecycle.urlpatterns,
    *objectives.urlpatterns,
    *dashboard.urlpatterns,
    *calendar.urlpatterns,
    *monitoring.urlpatterns,
    *audit.urlpatterns,
    *variations.urlpatterns,
    *documents.urlpatterns,
    *exports.urlpatterns,
    *imports.urlpatterns,
    *jobs.urlpatterns,
    *word.urlpatterns,
    *evaluation_documents.urlpatterns,
    *pay.urlpatterns,
    path("impostazioni/", include(setup.urlpatterns)),
    path("impostazioni/", include(access_views.setup_urlpatterns)),
    *public_texts_views.urlpatterns,
    *evaluations.urlpatterns,
    path("valutazione-individuale/impostazioni/", include(evaluation_settings.urlpatterns)),
    path(
        "valutazione-individuale/<int:year>/assegnazioni/",
        include(evaluation_assignments.urlpatterns),
    ),
]

urlpatterns = [
    path("", core.home, name="home"),
    path("healthz", core.healthz, name="healthz"),
    path("favicon.ico", core.favicon, name="favicon"),
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
    *account_views.urlpatterns,
    *access_views.urlpatterns,
    *guide.urlpatterns,
    path("calendario/<slug:token>.ics", calendar.calendar_feed_view, name="calendar_feed"),
    path("enti/<slug:authority>/", include(tenant_patterns)),
    # Amministrazione trasparente: public pages, no login (D.Lgs. 33/2013 art. 10 c.8, art. 20).
    path("trasparenza/<slug:authority>/", include(transparency.urlpatterns)),
]

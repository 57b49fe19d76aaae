from django.urls import include, path

urlpatterns = [path("", include("traguardo.web.urls"))]

handler404 = "traguardo.web.errors.not_found"
handler403 = "traguardo.web.errors.forbidden"
handler500 = "traguardo.web.errors.server_error"

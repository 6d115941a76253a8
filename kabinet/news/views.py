"""«Новости» (001): the list and an item for customers, and the staff's news screens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error
from kabinet.news import services
from kabinet.news.forms import NewsForm
from kabinet.news.models import News

PER_PAGE = 20


@login_required
def list_view(request):
    """The news, newest first. Opening the list marks everything in it read: the
    headlines new since the last visit are marked «новое» this once."""
    items = News.objects.visible_to(request.user)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    fresh = set()
    if not request.user.is_staff:
        fresh = set(News.objects.unread_by(request.user).values_list("pk", flat=True))
        services.news_read_all(user=request.user)
    return render(
        request,
        "news/list.html",
        {"page": page, "fresh": fresh, "fresh_count": len(fresh), "now": timezone.now()},
    )


@login_required
def detail_view(request, pk):
    news = get_object_or_404(News.objects.visible_to(request.user), pk=pk)
    services.news_read(user=request.user, news=news)
    return render(request, "news/detail.html", {"news": news})


# --- staff -------------------------------------------------------------------------------


@staff_required(roles.OUTAGES_NEWS)
def staff_list_view(request):
    form = NewsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            news = services.news_publish(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Новость «%(t)s» опубликована.") % {"t": news.title})
            return redirect("news_staff:list")
    items = News.objects.select_related("created_by")[:50]
    return render(
        request, "news/staff_list.html", {"form": form, "items": items, "now": timezone.now()}
    )


@staff_required(roles.OUTAGES_NEWS)
def staff_edit_view(request, pk):
    news = get_object_or_404(News, pk=pk)
    initial = {
        "title": news.title,
        "text": news.text,
        "published_at": timezone.localtime(news.published_at),
    }
    form = NewsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.news_update(news=news, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("news_staff:list")
    return render(request, "news/staff_edit.html", {"form": form, "news": news})

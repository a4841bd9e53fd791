// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* netlink.c - see netlink.h. One request per call: RTM_GETLINK by name or a
 * dump, parsed into struct fw_link. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "netlink.h"

struct link_list {
	struct fw_link *v;
	size_t n, cap;
	int err;
};

static int xdp_attr_cb(const struct nlattr *a, void *data)
{
	struct fw_link *l = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_XDP_ATTACHED:
		if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
			l->xdp_attached = mnl_attr_get_u8(a);
		break;
	case IFLA_XDP_PROG_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			l->xdp_prog_id = mnl_attr_get_u32(a);
		break;
	case IFLA_XDP_DRV_PROG_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			l->drv_prog_id = mnl_attr_get_u32(a);
		break;
	case IFLA_XDP_SKB_PROG_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			l->skb_prog_id = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct fw_link *l = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
		break;
	case IFLA_XDP:
		mnl_attr_parse_nested(a, xdp_attr_cb, l);
		break;
	}
	return MNL_CB_OK;
}

static int link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *ll = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct fw_link l = {.ifindex = ifm->ifi_index};

	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, &l);
	/* The kernel fills the mode ids only with several programs; with one,
	 * IFLA_XDP_PROG_ID is the program of the mode in IFLA_XDP_ATTACHED. */
	if (l.xdp_attached == XDP_ATTACHED_DRV && !l.drv_prog_id)
		l.drv_prog_id = l.xdp_prog_id;
	if (l.xdp_attached == XDP_ATTACHED_SKB && !l.skb_prog_id)
		l.skb_prog_id = l.xdp_prog_id;

	if (ll->n == ll->cap) {
		size_t cap = ll->cap ? ll->cap * 2 : 16;
		struct fw_link *v = realloc(ll->v, cap * sizeof(*v));

		if (!v) {
			ll->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		ll->v = v;
		ll->cap = cap;
	}
	ll->v[ll->n++] = l;
	return MNL_CB_OK;
}

/* Send one RTM_GETLINK (by name, or a dump when name is NULL). */
static int link_request(const char *name, struct link_list *ll)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = NULL;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	unsigned int seq, portid;
	int ret, err = 0;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | (name ? 0 : NLM_F_DUMP);
	nlh->nlmsg_seq = seq = (unsigned int)time(NULL);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* Skip VF stats and the like: only names and XDP are read. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	/* A dump ends with NLMSG_DONE; a get is answered by one message. */
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, portid, link_msg_cb, ll);
		if (ret <= MNL_CB_STOP || name)
			break;
	}
	if (ret < 0)
		err = ll->err ? ll->err : -errno;
out:
	mnl_socket_close(nl);
	return err;
}

int fw_nl_link_get(const char *name, struct fw_link *out)
{
	struct link_list ll = {0};
	int err;

	if (!name || !*name || strlen(name) >= IF_NAMESIZE)
		return -ENODEV;
	err = link_request(name, &ll);
	if (err == -ENODEV || (!err && ll.n == 0))
		err = -ENODEV;
	else if (!err)
		*out = ll.v[0];
	free(ll.v);
	return err;
}

int fw_nl_link_list(struct fw_link **out, size_t *count)
{
	struct link_list ll = {0};
	int err = link_request(NULL, &ll);

	if (err) {
		free(ll.v);
		return err;
	}
	*out = ll.v;
	*count = ll.n;
	return 0;
}

__u32 fw_link_prog_id(const struct fw_link *l)
{
	return l->drv_prog_id ? l->drv_prog_id : l->skb_prog_id;
}

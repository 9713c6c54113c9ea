/* The frontend's command handlers, one per row of the command table
 * (gpu/decode.c). Each runs on the GPU worker, checks what the frontend
 * owns (scanout ids, resource ids, the cursor rule), calls the backend,
 * and returns an internal error; data-carrying replies go in reply. */
#ifndef LKVM_GPU_HANDLERS_H
#define LKVM_GPU_HANDLERS_H

#include "gpu/decode.h"

/* gpu/ctrl.c: queries */
enum gpu_err gpu_h_display_info(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_get_edid(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_capset_info(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_capset(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);

/* gpu/ctrl_resource.c: resources and backing */
enum gpu_err gpu_h_create_2d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_create_3d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_unref(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_attach_backing(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_detach_backing(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_transfer_2d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);

/* gpu/blob.c: guest blobs */
enum gpu_err gpu_h_create_blob(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
/* gpu/uuid.c */
enum gpu_err gpu_h_assign_uuid(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
/* gpu/scanout.c */
enum gpu_err gpu_h_set_scanout_blob(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);

/* gpu/scanout.c: scanouts and the cursor */
enum gpu_err gpu_h_set_scanout(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_flush(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_update_cursor(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_move_cursor(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);

/* gpu/ctrl_3d.c: contexts and 3D commands */
enum gpu_err gpu_h_ctx_create(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_ctx_destroy(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_ctx_attach(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_ctx_detach(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_transfer_3d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);
enum gpu_err gpu_h_submit_3d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r);

#endif

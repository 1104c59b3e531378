package controller

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// Bounds of a hook call: each request, the answer read, and the
// callBackDelay honoured (Lambda's own limit is 15 minutes).
const (
	hookCallTimeout   = 30 * time.Second
	maxHookAnswer     = 64 << 10
	maxCallBackDelay  = 15 * time.Minute
	minCallBackDelay  = time.Second
	hookStatusSucceed = "SUCCEEDED"
	hookStatusFailed  = "FAILED"
	hookStatusRunning = "IN_PROGRESS"
)

// errHookAnswer is an answer of a hook's URL that is not one a hook's
// Lambda function gives.
var errHookAnswer = errors.New("controller: hook answered neither SUCCEEDED, FAILED nor IN_PROGRESS")

// hookJob is one AWS_LAMBDA hook run to call.
type hookJob struct {
	cluster, service, deployment, id, url string
	body                                  []byte
}

// hookAnswer is what a hook answers, as ECS reads a hook Lambda's result.
type hookAnswer struct {
	HookStatus    string `json:"hookStatus"`
	CallBackDelay int    `json:"callBackDelay"`
}

// startHook calls a hook's URL unless a caller for that run already works:
// IN_PROGRESS is asked again after its callBackDelay (service time), until
// SUCCEEDED or FAILED, which are recorded on the run for the next pass.
// A call that fails (no answer, not 200, not a hook's answer) fails the
// hook. A restarted controller calls again from the stored run.
func (c *Controller) startHook(job hookJob) {
	key := "hook/" + job.id
	c.mu.Lock()
	if c.acking[key] {
		c.mu.Unlock()
		return
	}
	c.acking[key] = true
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() {
			c.mu.Lock()
			delete(c.acking, key)
			c.mu.Unlock()
		}()
		if err := c.callHook(job); err != nil && c.ctx.Err() == nil {
			c.logger.Error("recording a hook's answer failed", "hook", job.id, "err", err)
		}
	}()
}

func (c *Controller) callHook(job hookJob) error {
	client := &http.Client{Timeout: hookCallTimeout}
	for {
		ans, err := c.askHook(client, job)
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		switch {
		case err != nil:
			return c.recordHook(job, model.HookActionRollback, err.Error())
		case ans.HookStatus == hookStatusSucceed:
			return c.recordHook(job, model.HookActionContinue, "")
		case ans.HookStatus == hookStatusFailed:
			return c.recordHook(job, model.HookActionRollback, "The hook answered FAILED.")
		}
		delay := min(max(time.Duration(ans.CallBackDelay)*time.Second, minCallBackDelay), maxCallBackDelay)
		if err := c.opts.Clock.Sleep(c.ctx, delay); err != nil {
			return err
		}
		if !c.hookPending(job) {
			return nil // timed out or rolled back meanwhile
		}
	}
}

func (c *Controller) askHook(client *http.Client, job hookJob) (hookAnswer, error) {
	var ans hookAnswer
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, job.url, bytes.NewReader(job.body))
	if err != nil {
		return ans, fmt.Errorf("hook %s: %w", job.url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return ans, fmt.Errorf("hook %s did not answer: %w", job.url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxHookAnswer))
	if err != nil {
		return ans, fmt.Errorf("hook %s: %w", job.url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return ans, fmt.Errorf("hook %s answered HTTP %d", job.url, resp.StatusCode)
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return ans, fmt.Errorf("hook %s: %w: %v", job.url, errHookAnswer, err)
	}
	switch ans.HookStatus {
	case hookStatusSucceed, hookStatusFailed, hookStatusRunning:
		return ans, nil
	}
	return ans, fmt.Errorf("hook %s: %w (%q)", job.url, errHookAnswer, ans.HookStatus)
}

// hookPending reports whether the run still waits for its answer.
func (c *Controller) hookPending(job hookJob) bool {
	pending := false
	_ = c.st.View(c.ctx, func(tx state.Tx) error {
		svc, err := tx.Service(job.cluster, job.service)
		if err != nil {
			return nil
		}
		if d := svc.Deployment(job.deployment); d != nil && d.Internal.Traffic != nil {
			h := d.Internal.Traffic.Hook
			pending = h != nil && h.ID == job.id && h.Result == ""
		}
		return nil
	})
	return pending
}

// recordHook stores a hook's answer on its run; the next pass acts on it.
func (c *Controller) recordHook(job hookJob, result, reason string) error {
	c.logger.Info("lifecycle hook answered", "hook", job.id, "result", result, "reason", reason)
	return c.st.Update(c.ctx, func(tx state.Tx) error {
		svc, err := tx.Service(job.cluster, job.service)
		if err != nil {
			return nil
		}
		d := svc.Deployment(job.deployment)
		if d == nil || d.Internal.Traffic == nil {
			return nil
		}
		h := d.Internal.Traffic.Hook
		if h == nil || h.ID != job.id || h.Result != "" {
			return nil
		}
		h.Result, h.Reason = result, reason
		return tx.PutService(job.cluster, svc)
	})
}

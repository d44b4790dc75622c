package skynamo

import "fmt"

// JoinTransactions completes orders, quotes or credit requests (txs, all
// of the kind fs describes, from Schema.Transactions). The API leaves two
// things out of a transaction: who took it and its form values. Both live
// with its interaction (interaction_id): the interaction's user_id and
// user_name, and the completed forms listed in its completed_form_ids whose
// form belongs to fs. JoinTransactions copies them into each transaction's
// Props and Custom, in place.
//
// Orders name their interaction (interaction_id); quotes and credit requests
// do not (the spec's Quote and CreditRequest have no interaction_id), so
// for them the interaction is found by its quote_id or credit_request_id.
// entity ("orders", "quotes", "credit_requests") says which link to follow.
//
// A transaction whose interaction, or one of whose completed forms, has not
// been synced yet keeps what could be found (a completed form names its
// interaction and user too, so values can still arrive without the
// interaction), gets a warning and is counted in incomplete, so the caller
// can say how many rows are partial. A transaction without interaction_id
// (one created through the API, say) has nothing to join and is not counted.
func JoinTransactions(entity string, txs, interactions, completedForms []Record, fs *FieldSet) (incomplete int) {
	interactionByID := indexByID(interactions)
	// The interaction that points at each transaction, for kinds whose
	// records do not point back.
	interactionByTx := map[int64]int64{}
	if link := interactionLink(entity); link != "" {
		for i := range interactions {
			if txID, ok := IntProp(interactions[i].Props, link); ok {
				iid, _ := IntProp(interactions[i].Props, "id")
				interactionByTx[txID] = iid
			}
		}
	}
	formByID := indexByID(completedForms)
	formsByInteraction := map[int64][]*Record{}
	for i := range completedForms {
		if iid, ok := IntProp(completedForms[i].Props, "interaction_id"); ok {
			formsByInteraction[iid] = append(formsByInteraction[iid], &completedForms[i])
		}
	}

	for i := range txs {
		tx := &txs[i]
		tx.Fields = fs
		if tx.Custom == nil {
			tx.Custom = map[string]any{}
		}
		iid, ok := IntProp(tx.Props, "interaction_id")
		if !ok {
			txID, _ := IntProp(tx.Props, "id")
			if iid, ok = interactionByTx[txID]; !ok {
				continue
			}
		}
		var forms []*Record
		complete := true
		if inter := interactionByID[iid]; inter != nil {
			copyProp(tx.Props, inter.Props, "user_id")
			copyProp(tx.Props, inter.Props, "user_name")
			for _, id := range intList(inter.Props["completed_form_ids"]) {
				if cf := formByID[id]; cf != nil {
					forms = append(forms, cf)
				} else {
					complete = false
					tx.Warnings = append(tx.Warnings, fmt.Sprintf("completed form %d of interaction %d is not synced yet", id, iid))
				}
			}
		} else {
			complete = false
			tx.Warnings = append(tx.Warnings, fmt.Sprintf("interaction %d is not synced yet", iid))
			forms = formsByInteraction[iid]
			if len(forms) > 0 {
				copyProp(tx.Props, forms[0].Props, "user_id")
				copyProp(tx.Props, forms[0].Props, "user_name")
			}
		}
		for _, cf := range forms {
			mergeFormValues(tx, cf, fs)
		}
		if !complete {
			incomplete++
		}
	}
	return incomplete
}

// mergeFormValues copies a completed form's values into a transaction when
// the form is one of fs's. The values are keyed again because a field's Key
// in the transaction's set can differ from its Key on its own form (a
// display name shared with another form of the set).
func mergeFormValues(tx, cf *Record, fs *FieldSet) {
	formID, _ := IntProp(cf.Props, "form_id")
	if !fs.HasForm(formID) {
		if own := cf.Fields; own != nil && len(own.Forms) == 1 && fs != nil && own.Forms[0].Type == fs.FormType {
			tx.Warnings = append(tx.Warnings, fmt.Sprintf("values of inactive form %q (%d) are not shown", own.Forms[0].Name, formID))
		}
		return
	}
	for key, v := range cf.Custom {
		if f, ok := cf.Fields.Lookup(key); ok {
			if tf := fs.Field(f.FormID, f.ID); tf != nil {
				tx.Custom[tf.Key] = v
				continue
			}
		}
		if _, taken := tx.Custom[key]; !taken {
			tx.Custom[key] = v // a field the schema does not know, kept as text
		}
	}
	tx.Warnings = append(tx.Warnings, cf.Warnings...)
}

// interactionLink names the interaction property that points at a
// transaction of each kind.
func interactionLink(entity string) string {
	switch entity {
	case "orders":
		return "order_id"
	case "quotes":
		return "quote_id"
	case "credit_requests":
		return "credit_request_id"
	}
	return ""
}

func indexByID(recs []Record) map[int64]*Record {
	m := make(map[int64]*Record, len(recs))
	for i := range recs {
		if id, ok := IntProp(recs[i].Props, "id"); ok {
			m[id] = &recs[i]
		}
	}
	return m
}

func copyProp(dst, src map[string]any, key string) {
	if v, ok := src[key]; ok {
		dst[key] = v
	}
}

// intList reads an array of ids as decoded (json.Number elements).
func intList(v any) []int64 {
	list, _ := v.([]any)
	out := make([]int64, 0, len(list))
	for _, e := range list {
		if n, ok := IntValue(e); ok {
			out = append(out, n)
		}
	}
	return out
}
